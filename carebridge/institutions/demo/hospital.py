"""The demo institution: two campuses, departments and doctors, with realistic texts.

苏州市枫桥人民医院 is fictional; its streets and transport lines are plausible for Suzhou's
高新区 (a near-suburban district). Coordinates are GCJ-02, like the Campus model expects.
"""

from datetime import time

INSTITUTION = {
    "slug": "fengqiao",
    "name": "苏州市枫桥人民医院",
    "name_en": "Suzhou Fengqiao People's Hospital",
    "kind": "hospital",
    "region_type": "suburban",
    "phone": "0512-66553120",
    "introduction": (
        "苏州市枫桥人民医院始建于1958年，是一所集医疗、教学、科研、预防保健于一体的二级甲等综合医院，"
        "现有本部（枫桥院区）和狮山院区两个院区，开放床位680张，职工1100余人，其中高级职称专家160余名。"
        "医院设有临床科室32个、医技科室9个，心血管内科、呼吸与危重症医学科为苏州市临床重点专科。"
        "医院秉承“仁心仁术、惠民便民”的宗旨，推行预约诊疗、诊间结算和检查结果互认，"
        "为高新区及周边六十余万居民提供连续、便捷的医疗服务。"
    ),
    "introduction_en": (
        "Founded in 1958, Suzhou Fengqiao People's Hospital is a grade-2A general hospital "
        "with two campuses (Fengqiao and Shishan), 680 beds and more than 1,100 staff. "
        "Its cardiology and respiratory medicine departments are key clinical specialties "
        "of Suzhou. It serves over 600,000 residents of the Suzhou New District with "
        "appointments, in-clinic payment and mutual recognition of test results."
    ),
}

CAMPUSES = [
    {
        "name": "本部（枫桥院区）",
        "name_en": "Main campus (Fengqiao)",
        "address": "苏州市高新区枫桥街道长江路466号",
        "address_en": "466 Changjiang Road, Fengqiao Subdistrict, Suzhou New District",
        "latitude": "31.318245",
        "longitude": "120.553716",
        "phone": "0512-66553120",
        "opening_hours": (
            "门诊：周一至周五 8:00—12:00，13:30—17:00；周六、周日 8:00—12:00\n"
            "急诊：24小时\n"
            "抽血：周一至周日 7:00—10:30（需空腹项目请在10:00前完成）"
        ),
        "opening_hours_en": (
            "Outpatients: Mon–Fri 8:00–12:00, 13:30–17:00; Sat–Sun 8:00–12:00\n"
            "Emergency: 24 hours\nBlood tests: daily 7:00–10:30"
        ),
        "transport": (
            "地铁：3号线「何山路站」2号出口，向西步行约700米\n"
            "公交：快线3号、309路、325路至「枫桥医院」站\n"
            "自驾：院内地下停车场（入口在长江路辅路），车位约420个"
        ),
        "transport_en": (
            "Metro: Line 3, Heshan Road station exit 2, then 700 m west\n"
            "Bus: Express 3, 309 or 325 to Fengqiao Hospital\n"
            "Car: underground car park (entrance on the Changjiang Road service lane), "
            "about 420 spaces"
        ),
        "nearby": (
            "银行：门诊大厅一楼设中国银行、工商银行自助取款机\n"
            "住宿：医院北门对面如家酒店（步行约5分钟）、枫桥宾馆（步行约8分钟）\n"
            "餐饮：住院部一楼职工餐厅对外开放（6:30—19:00），长江路沿街有多家快餐店\n"
            "药店：北门东侧有24小时营业药房"
        ),
        "nearby_en": (
            "Banks: cash machines in the outpatient hall\n"
            "Hotels: two hotels within an 8-minute walk of the north gate\n"
            "Food: the inpatient building canteen is open to visitors (6:30–19:00)\n"
            "Pharmacy: a 24-hour pharmacy east of the north gate"
        ),
        "position": 0,
    },
    {
        "name": "狮山院区",
        "name_en": "Shishan campus",
        "address": "苏州市高新区狮山街道玉山路128号",
        "address_en": "128 Yushan Road, Shishan Subdistrict, Suzhou New District",
        "latitude": "31.296473",
        "longitude": "120.572108",
        "phone": "0512-66553355",
        "opening_hours": (
            "门诊：周一至周五 8:00—11:30，13:30—17:00；周六 8:00—11:30\n"
            "儿科夜间门诊：周一至周五 17:30—21:00"
        ),
        "opening_hours_en": (
            "Outpatients: Mon–Fri 8:00–11:30, 13:30–17:00; Sat 8:00–11:30\n"
            "Paediatric evening clinic: Mon–Fri 17:30–21:00"
        ),
        "transport": (
            "地铁：1号线「狮子山站」4号出口，向南步行约500米\n"
            "公交：33路、64路、快线5号至「玉山路狮山路」站\n"
            "两院区之间每30分钟一班免费接驳车（工作日7:30—17:30，本部门诊楼东侧上车）"
        ),
        "transport_en": (
            "Metro: Line 1, Shizishan station exit 4, then 500 m south\n"
            "Bus: 33, 64 or Express 5 to Yushan Road / Shishan Road\n"
            "A free shuttle links the two campuses every 30 minutes on weekdays (7:30–17:30)"
        ),
        "nearby": (
            "商场：步行约10分钟至狮山商圈\n"
            "住宿：院区西侧有两家经济型酒店\n"
            "母婴室：门诊二楼妇产科候诊区旁"
        ),
        "nearby_en": (
            "Shopping: the Shishan shopping area is a 10-minute walk away\n"
            "Hotels: two budget hotels west of the campus\n"
            "Nursing room: 2nd floor, next to the obstetrics waiting area"
        ),
        "position": 1,
    },
]

# campus: index into CAMPUSES.
DEPARTMENTS = [
    {
        "name": "心血管内科",
        "name_en": "Cardiology",
        "campus": 0,
        "location": "门诊楼3层A区",
        "location_en": "Outpatient building, 3rd floor, zone A",
        "introduction": (
            "心血管内科为苏州市临床重点专科，设有胸痛中心和心脏介入导管室，"
            "年完成冠脉介入手术1200余例。擅长冠心病、高血压、心律失常、心力衰竭的规范化诊治，"
            "开设高血压专病门诊和起搏器随访门诊。"
        ),
        "introduction_en": (
            "A key clinical specialty of Suzhou with a chest pain centre and a catheter lab "
            "(over 1,200 coronary interventions a year): coronary disease, hypertension, "
            "arrhythmia and heart failure; hypertension and pacemaker follow-up clinics."
        ),
    },
    {
        "name": "呼吸与危重症医学科",
        "name_en": "Respiratory and Critical Care Medicine",
        "campus": 0,
        "location": "门诊楼3层B区",
        "location_en": "Outpatient building, 3rd floor, zone B",
        "introduction": (
            "科室开展支气管镜诊疗、肺功能检查和睡眠呼吸监测，设有慢阻肺、哮喘、肺结节专病门诊。"
            "对重症肺炎、呼吸衰竭的救治经验丰富，与呼吸重症监护病房（RICU）一体化管理。"
        ),
        "introduction_en": (
            "Bronchoscopy, lung function tests and sleep studies; clinics for COPD, asthma and "
            "lung nodules; a respiratory intensive care unit for severe pneumonia and "
            "respiratory failure."
        ),
    },
    {
        "name": "消化内科",
        "name_en": "Gastroenterology",
        "campus": 0,
        "location": "门诊楼4层A区（内镜中心在4层C区）",
        "location_en": "Outpatient building, 4th floor, zone A (endoscopy: zone C)",
        "introduction": (
            "消化内科拥有独立内镜中心，开展无痛胃肠镜、内镜下息肉切除、ERCP等诊疗技术，"
            "擅长胃食管反流病、消化性溃疡、炎症性肠病、肝硬化及消化道早癌筛查。"
        ),
        "introduction_en": (
            "An endoscopy centre offering sedated gastroscopy and colonoscopy, polypectomy and "
            "ERCP; reflux, ulcers, inflammatory bowel disease, cirrhosis and early cancer "
            "screening."
        ),
    },
    {
        "name": "内分泌科",
        "name_en": "Endocrinology",
        "campus": 1,
        "location": "门诊2层西侧",
        "location_en": "2nd floor, west wing",
        "introduction": (
            "内分泌科开设糖尿病、甲状腺疾病、骨质疏松专病门诊，提供胰岛素泵治疗、动态血糖监测"
            "和糖尿病足筛查，定期举办糖友健康课堂。"
        ),
        "introduction_en": (
            "Clinics for diabetes, thyroid disease and osteoporosis; insulin pumps, continuous "
            "glucose monitoring, diabetic foot screening and regular patient classes."
        ),
    },
    {
        "name": "普通外科",
        "name_en": "General Surgery",
        "campus": 0,
        "location": "门诊楼2层A区",
        "location_en": "Outpatient building, 2nd floor, zone A",
        "introduction": (
            "普通外科下设胃肠、肝胆、甲状腺乳腺和疝与腹壁外科四个亚专业，"
            "常规开展腹腔镜胆囊切除、胃肠肿瘤根治、甲状腺微创手术等。"
        ),
        "introduction_en": (
            "Four sub-specialties (gastrointestinal, hepatobiliary, thyroid and breast, hernia); "
            "laparoscopic cholecystectomy, cancer surgery and minimally invasive thyroid surgery."
        ),
    },
    {
        "name": "骨科",
        "name_en": "Orthopaedics",
        "campus": 0,
        "location": "门诊楼2层B区",
        "location_en": "Outpatient building, 2nd floor, zone B",
        "introduction": (
            "骨科擅长创伤骨折、关节置换、脊柱退行性疾病和运动损伤的诊治，"
            "开展关节镜微创手术，设有骨质疏松性骨折联络服务门诊。"
        ),
        "introduction_en": (
            "Fractures, joint replacement, degenerative spine disease and sports injuries; "
            "arthroscopic surgery and a fracture liaison clinic for osteoporosis."
        ),
    },
    {
        "name": "妇产科",
        "name_en": "Obstetrics and Gynaecology",
        "campus": 1,
        "location": "门诊3层（产科门诊在3层东侧）",
        "location_en": "3rd floor (antenatal clinic: east wing)",
        "introduction": (
            "妇产科提供孕前咨询、产前检查、分娩镇痛和产后康复的全程服务，"
            "妇科擅长宫腔镜、腹腔镜微创手术及宫颈疾病筛查。"
        ),
        "introduction_en": (
            "Pre-conception advice, antenatal care, labour analgesia and postnatal recovery; "
            "hysteroscopic and laparoscopic surgery and cervical screening."
        ),
    },
    {
        "name": "儿科",
        "name_en": "Paediatrics",
        "campus": 1,
        "location": "门诊1层东侧（独立候诊区）",
        "location_en": "Ground floor, east wing (separate waiting area)",
        "introduction": (
            "儿科设普通儿科、儿童保健和新生儿病房，开设儿童哮喘、生长发育专病门诊，"
            "工作日晚间开设夜间门诊，方便家长下班后带孩子就诊。"
        ),
        "introduction_en": (
            "General paediatrics, child health and a neonatal ward; asthma and growth clinics; "
            "an evening clinic on weekdays for working parents."
        ),
    },
    {
        "name": "眼科",
        "name_en": "Ophthalmology",
        "campus": 0,
        "location": "门诊楼5层",
        "location_en": "Outpatient building, 5th floor",
        "introduction": (
            "眼科开展白内障超声乳化、青光眼、眼底病激光治疗和儿童近视防控，"
            "配备光学相干断层扫描（OCT）等检查设备。"
        ),
        "introduction_en": (
            "Cataract surgery, glaucoma, laser treatment of retinal disease and myopia control "
            "for children, with OCT imaging."
        ),
    },
    {
        "name": "中医科",
        "name_en": "Traditional Chinese Medicine",
        "campus": 1,
        "location": "门诊4层",
        "location_en": "4th floor",
        "introduction": (
            "中医科以中药辨证施治为主，结合针灸、推拿、艾灸、穴位贴敷等特色疗法，"
            "擅长调理失眠、颈肩腰腿痛、脾胃病，每年三伏、三九开展冬病夏治穴位贴敷。"
        ),
        "introduction_en": (
            "Herbal treatment with acupuncture, tuina massage, moxibustion and acupoint "
            "application for insomnia, neck and back pain and digestive complaints."
        ),
    },
]

# departments: names from DEPARTMENTS.
DOCTORS = [
    {
        "name": "王建国",
        "name_en": "Wang Jianguo",
        "title": "主任医师",
        "title_en": "Chief Physician",
        "departments": ["心血管内科"],
        "specialty": "冠心病介入治疗、急性心肌梗死救治、复杂高血压",
        "specialty_en": (
            "Coronary intervention, acute myocardial infarction, resistant hypertension"
        ),
        "introduction": (
            "医学博士，心血管内科主任，胸痛中心医疗总监。从事心血管临床工作三十余年，"
            "完成冠脉介入手术五千余例，苏州市医学会心血管病学分会委员。"
        ),
        "introduction_en": (
            "MD, head of cardiology and medical director of the chest pain centre; over 5,000 "
            "coronary interventions in thirty years of practice."
        ),
    },
    {
        "name": "李慧敏",
        "name_en": "Li Huimin",
        "title": "副主任医师",
        "title_en": "Associate Chief Physician",
        "departments": ["心血管内科"],
        "specialty": "心律失常、起搏器植入与随访、心力衰竭",
        "specialty_en": "Arrhythmia, pacemakers and follow-up, heart failure",
        "introduction": "硕士研究生导师，曾在上海交通大学医学院附属瑞金医院进修心脏电生理。",
        "introduction_en": "Trained in cardiac electrophysiology in Shanghai.",
    },
    {
        "name": "陈志远",
        "name_en": "Chen Zhiyuan",
        "title": "主任医师",
        "title_en": "Chief Physician",
        "departments": ["呼吸与危重症医学科"],
        "specialty": "慢阻肺、支气管哮喘、肺结节的诊治，支气管镜介入",
        "specialty_en": "COPD, asthma, lung nodules, interventional bronchoscopy",
        "introduction": (
            "呼吸与危重症医学科主任，江苏省医学会呼吸病学分会青年委员，"
            "主持市级科研课题三项，发表论文二十余篇。"
        ),
        "introduction_en": "Head of respiratory medicine; leads three municipal research projects.",
    },
    {
        "name": "张晓燕",
        "name_en": "Zhang Xiaoyan",
        "title": "主治医师",
        "title_en": "Attending Physician",
        "departments": ["呼吸与危重症医学科"],
        "specialty": "呼吸道感染、慢性咳嗽、睡眠呼吸暂停",
        "specialty_en": "Respiratory infections, chronic cough, sleep apnoea",
        "introduction": "从事呼吸内科临床工作十年，负责睡眠呼吸监测室。",
        "introduction_en": "Ten years in respiratory medicine; runs the sleep laboratory.",
    },
    {
        "name": "刘文斌",
        "name_en": "Liu Wenbin",
        "title": "主任医师",
        "title_en": "Chief Physician",
        "departments": ["消化内科"],
        "specialty": "消化内镜诊疗、消化道早癌筛查、胆胰疾病",
        "specialty_en": (
            "Endoscopy, early gastrointestinal cancer screening, biliary-pancreatic disease"
        ),
        "introduction": "内镜中心主任，独立完成ERCP手术千余例，擅长内镜黏膜下剥离术（ESD）。",
        "introduction_en": "Head of endoscopy; over a thousand ERCP procedures; performs ESD.",
    },
    {
        "name": "周佳怡",
        "name_en": "Zhou Jiayi",
        "title": "副主任医师",
        "title_en": "Associate Chief Physician",
        "departments": ["消化内科"],
        "specialty": "炎症性肠病、功能性胃肠病、幽门螺杆菌感染",
        "specialty_en": "Inflammatory bowel disease, functional disorders, H. pylori",
        "introduction": "开设炎症性肠病专病门诊，注重患者长期随访管理。",
        "introduction_en": "Runs the inflammatory bowel disease clinic with long-term follow-up.",
    },
    {
        "name": "吴海涛",
        "name_en": "Wu Haitao",
        "title": "主任医师",
        "title_en": "Chief Physician",
        "departments": ["内分泌科"],
        "specialty": "糖尿病及其并发症、甲状腺结节、肥胖症",
        "specialty_en": "Diabetes and its complications, thyroid nodules, obesity",
        "introduction": "内分泌科主任，苏州市糖尿病防治专家组成员，长期开展社区糖尿病健康管理。",
        "introduction_en": "Head of endocrinology; member of Suzhou's diabetes expert group.",
    },
    {
        "name": "孙丽娟",
        "name_en": "Sun Lijuan",
        "title": "主任医师",
        "title_en": "Chief Physician",
        "departments": ["普通外科"],
        "specialty": "甲状腺、乳腺疾病的微创手术，乳腺癌综合治疗",
        "specialty_en": "Minimally invasive thyroid and breast surgery, breast cancer care",
        "introduction": "普通外科副主任，甲状腺乳腺外科亚专业带头人。",
        "introduction_en": "Deputy head of general surgery; leads thyroid and breast surgery.",
    },
    {
        "name": "赵明轩",
        "name_en": "Zhao Mingxuan",
        "title": "副主任医师",
        "title_en": "Associate Chief Physician",
        "departments": ["普通外科"],
        "specialty": "腹腔镜胆囊、疝修补手术，胃肠肿瘤",
        "specialty_en": "Laparoscopic gallbladder and hernia surgery, gastrointestinal tumours",
        "introduction": "擅长腹腔镜微创手术，年完成手术四百余台。",
        "introduction_en": "Over 400 laparoscopic operations a year.",
    },
    {
        "name": "黄国平",
        "name_en": "Huang Guoping",
        "title": "主任医师",
        "title_en": "Chief Physician",
        "departments": ["骨科"],
        "specialty": "髋膝关节置换、老年髋部骨折、关节镜手术",
        "specialty_en": "Hip and knee replacement, hip fractures in the elderly, arthroscopy",
        "introduction": "骨科主任，创伤骨科与关节外科专家，推行老年髋部骨折多学科快速通道。",
        "introduction_en": "Head of orthopaedics; runs the fast track for hip fractures.",
    },
    {
        "name": "徐静怡",
        "name_en": "Xu Jingyi",
        "title": "副主任医师",
        "title_en": "Associate Chief Physician",
        "departments": ["妇产科"],
        "specialty": "高危妊娠管理、产前诊断、分娩镇痛",
        "specialty_en": "High-risk pregnancy, prenatal diagnosis, labour analgesia",
        "introduction": "产科负责人，从事产科临床工作十八年，擅长妊娠期高血压、糖尿病管理。",
        "introduction_en": "Leads obstetrics; eighteen years of practice.",
    },
    {
        "name": "朱晓彤",
        "name_en": "Zhu Xiaotong",
        "title": "主治医师",
        "title_en": "Attending Physician",
        "departments": ["儿科"],
        "specialty": "小儿呼吸道感染、儿童哮喘、生长发育评估",
        "specialty_en": "Childhood respiratory infections, asthma, growth assessment",
        "introduction": "儿童哮喘专病门诊医生，耐心细致，深受家长信赖。",
        "introduction_en": "Doctor of the childhood asthma clinic.",
    },
    {
        "name": "郑永康",
        "name_en": "Zheng Yongkang",
        "title": "副主任医师",
        "title_en": "Associate Chief Physician",
        "departments": ["眼科"],
        "specialty": "白内障超声乳化、青光眼、儿童近视防控",
        "specialty_en": "Cataract surgery, glaucoma, myopia control in children",
        "introduction": "完成白内障手术三千余例，参与辖区中小学生视力筛查项目。",
        "introduction_en": "Over 3,000 cataract operations; takes part in school eye screening.",
    },
    {
        "name": "杨春华",
        "name_en": "Yang Chunhua",
        "title": "主任中医师",
        "title_en": "Chief TCM Physician",
        "departments": ["中医科"],
        "specialty": "失眠、脾胃病、颈肩腰腿痛的中医药及针灸治疗",
        "specialty_en": "Insomnia, digestive complaints and back pain with herbs and acupuncture",
        "introduction": "江苏省名中医学术经验继承人，从事中医临床工作二十五年。",
        "introduction_en": "Twenty-five years of TCM practice.",
    },
    {
        "name": "何伟",
        "name_en": "He Wei",
        "title": "主治医师",
        "title_en": "Attending Physician",
        "departments": ["心血管内科", "内分泌科"],
        "specialty": "高血压合并糖尿病的综合管理、血脂异常",
        "specialty_en": "Hypertension with diabetes, dyslipidaemia",
        "introduction": "在心血管内科和内分泌科联合门诊出诊，负责慢病综合管理。",
        "introduction_en": "Sees patients in the joint cardiology–endocrinology clinic.",
    },
]

# Clinics: (fee in fen, places, clinic type) by title; department clinics (no named doctor) at
# the registration fee of seed 004 (14 yuan).
CLINIC_BY_TITLE = {
    "主任医师": (5000, 20, "expert"),
    "主任中医师": (5000, 20, "expert"),
    "副主任医师": (3000, 24, "expert"),
    "主治医师": (1400, 30, "general"),
}
GENERAL_CLINICS = ["儿科", "心血管内科"]
PERIOD_HOURS = {
    "morning": (time(8, 0), time(11, 30)),
    "afternoon": (time(13, 30), time(17, 0)),
}
