"""The demo hospital's consultations: routing rules per department, FAQs, canned answers, the
labelled questions that teach and measure the router and the FAQ threshold, and a few
consultations in several states.

QUESTIONS are labelled with their department; every third one is held out (HELD_OUT) to
measure the router, the others become its examples (EXAMPLES). FAQ_LABELLED pairs questions with
the FAQ that answers them (None: no FAQ does), to choose the auto-answer threshold."""

from datetime import timedelta

from django.utils import timezone

from carebridge.institutions.models import Department
from carebridge.wechat.models import Follower

from . import consult_embedding, consult_faq
from .actions.consultations import receive_question, reply_consultation
from .models import (
    CannedAnswer,
    Consultation,
    ConsultChannel,
    ConsultPolicy,
    Faq,
    RoutingExample,
    RoutingRule,
)

RULES = {
    "心血管内科": "心慌 心悸 胸闷 早搏 房颤 高血压 血压高 心绞痛 心电图 冠心病 支架",
    "呼吸与危重症医学科": "咳嗽 咳痰 哮喘 气喘 肺炎 肺结节 慢阻肺 支气管炎 咯血",
    "消化内科": "胃痛 胃疼 反酸 烧心 腹泻 拉肚子 便秘 胃镜 肠镜 幽门螺杆菌 胃炎",
    "内分泌科": "血糖 糖尿病 甲状腺 甲亢 甲减 胰岛素 尿酸 痛风",
    "普通外科": "阑尾炎 疝气 胆结石 甲状腺结节 乳腺结节 痔疮 脂肪瘤",
    "骨科": "骨折 腰疼 腰痛 颈椎 膝盖 关节痛 扭伤 腰椎间盘 骨质疏松",
    "妇产科": "怀孕 孕检 产检 月经 白带 宫颈 备孕 孕妇 流产 B超建档",
    "儿科": "宝宝 孩子 小孩 儿童 婴儿 新生儿 疫苗 奶粉",
    "眼科": "眼睛 视力 近视 白内障 青光眼 眼镜 眼压 结膜炎",
    "中医科": "中药 针灸 推拿 艾灸 拔罐 调理 体质 膏方",
}

# (question, department): patients' own words, many without any rule keyword.
QUESTIONS = [
    ("最近爬两层楼就心跳很快，需要挂哪个科", "心血管内科"),
    ("我爸血压160/100，吃了药还是降不下来怎么办", "心血管内科"),
    ("晚上睡觉时心口发紧，持续几分钟就好了", "心血管内科"),
    ("做过心脏支架的人复查要做哪些检查", "心血管内科"),
    ("动态心电图在哪里预约", "心血管内科"),
    ("感觉心脏有时候漏跳一拍正常吗", "心血管内科"),
    ("降压药能不能自己停掉", "心血管内科"),
    ("早上起来头晕，量血压偏高，需要住院吗", "心血管内科"),
    ("冠脉CTA检查前要空腹吗", "心血管内科"),
    ("心脏彩超报告说二尖瓣轻度反流要紧吗", "心血管内科"),
    ("咳了一个多月还没好，晚上更厉害", "呼吸与危重症医学科"),
    ("体检CT发现肺上有个5毫米的小结节", "呼吸与危重症医学科"),
    ("孩子他爸抽烟二十年，总是有痰，要查肺功能吗", "呼吸与危重症医学科"),
    ("一到春天就喘不过气来，是过敏吗", "呼吸与危重症医学科"),
    ("嗓子痒一直干咳吃什么药", "呼吸与危重症医学科"),
    ("肺功能检查要预约吗", "呼吸与危重症医学科"),
    ("老人家得了肺炎出院后要复查胸片吗", "呼吸与危重症医学科"),
    ("痰里有血丝需要做什么检查", "呼吸与危重症医学科"),
    ("睡觉打呼噜很响还憋气，看哪个科", "呼吸与危重症医学科"),
    ("吃完饭肚子胀，老打嗝", "消化内科"),
    ("无痛胃镜需要提前几天预约，要不要家属陪同", "消化内科"),
    ("大便发黑是怎么回事", "消化内科"),
    ("呼气试验阳性要吃几周药", "消化内科"),
    ("经常拉肚子一天三四次", "消化内科"),
    ("肝功能转氨酶偏高要看哪个科", "消化内科"),
    ("胃里火辣辣的，晚上躺下更难受", "消化内科"),
    ("肠镜前的泻药怎么吃", "消化内科"),
    ("脂肪肝需要吃药吗", "消化内科"),
    ("空腹血糖7.8是不是得了糖尿病", "内分泌科"),
    ("脖子有点粗，心慌手抖，体重下降很快", "内分泌科"),
    ("打胰岛素的剂量可以自己调吗", "内分泌科"),
    ("脚趾头关节突然红肿疼痛，尿酸很高", "内分泌科"),
    ("糖化血红蛋白多久查一次", "内分泌科"),
    ("最近总是口渴，喝水多尿也多", "内分泌科"),
    ("甲功化验TSH偏高要吃优甲乐吗", "内分泌科"),
    ("更年期以后骨密度低，内分泌能看吗", "内分泌科"),
    ("胖了很多想减重，有没有减重门诊", "内分泌科"),
    ("右下腹疼得厉害还发烧", "普通外科"),
    ("体检B超说胆囊里有结石，要不要手术", "普通外科"),
    ("大腿根部站着有个鼓包，躺下就没了", "普通外科"),
    ("乳房摸到一个硬块，需要看哪个科", "普通外科"),
    ("上厕所出血，肛门疼", "普通外科"),
    ("身上长了个软软的包，不疼不痒", "普通外科"),
    ("腹腔镜手术一般住院几天", "普通外科"),
    ("手术后伤口红肿渗液怎么办", "普通外科"),
    ("甲状腺结节4a类需要穿刺吗", "普通外科"),
    ("打球崴了脚，脚踝肿得很厉害", "骨科"),
    ("腰疼还放射到腿上发麻", "骨科"),
    ("爬楼梯时膝盖疼，下楼更明显", "骨科"),
    ("低头久了脖子僵硬，手指发麻", "骨科"),
    ("老人摔了一跤，手腕肿了不能动", "骨科"),
    ("肩膀抬不起来，晚上疼得睡不着", "骨科"),
    ("骨折打石膏后多久复查拍片", "骨科"),
    ("孩子走路有点内八字，要看骨科吗", "骨科"),
    ("跑步后膝盖外侧疼", "骨科"),
    ("第一次产检什么时候去，需要带什么", "妇产科"),
    ("大姨妈推迟了十几天，验孕是阴性", "妇产科"),
    ("宫颈筛查HPV阳性怎么办", "妇产科"),
    ("孕28周糖耐量检查要空腹吗", "妇产科"),
    ("想要二胎，需要做哪些孕前检查", "妇产科"),
    ("顺产后恶露多久干净", "妇产科"),
    ("下面瘙痒分泌物多", "妇产科"),
    ("医院能做无痛分娩吗", "妇产科"),
    ("NT检查在哪里预约", "妇产科"),
    ("一岁宝宝发烧38度5要不要马上来医院", "儿科"),
    ("孩子咳嗽有痰一周了，晚上咳醒", "儿科"),
    ("小朋友不爱吃饭，个子比同龄人矮", "儿科"),
    ("新生儿黄疸值15需要住院吗", "儿科"),
    ("三岁孩子拉肚子呕吐，精神不好", "儿科"),
    ("儿童保健体检怎么预约", "儿科"),
    ("小孩身上起了很多红疹子", "儿科"),
    ("六岁孩子晚上尿床正常吗", "儿科"),
    ("娃总是揉眼睛眨眼睛是抽动症吗", "儿科"),
    ("看东西越来越模糊，特别是晚上", "眼科"),
    ("眼睛红还有很多分泌物", "眼科"),
    ("老人看灯光有光晕，是不是要做手术", "眼科"),
    ("孩子看黑板看不清，要配镜吗", "眼科"),
    ("眼前总有黑影飘来飘去", "眼科"),
    ("糖尿病人要多久查一次眼底", "眼科"),
    ("长期看电脑眼睛干涩怎么办", "眼科"),
    ("角膜塑形镜可以在这里验配吗", "眼科"),
    ("眼皮跳了一个星期了", "眼科"),
    ("手脚冰凉，冬天特别怕冷，想吃点药调一下", "中医科"),
    ("失眠多梦，想找老中医看看", "中医科"),
    ("产后身体虚，可以开膏方吗", "中医科"),
    ("三伏贴什么时候开始贴", "中医科"),
    ("舌苔很厚，口苦口臭", "中医科"),
    ("颈肩酸痛能做针灸吗", "中医科"),
    ("冬令进补什么时候开始", "中医科"),
    ("代煎中药可以快递到家吗", "中医科"),
    ("湿气重浑身没劲怎么调理", "中医科"),
]
HELD_OUT = QUESTIONS[2::3]
EXAMPLES = [q for i, q in enumerate(QUESTIONS) if i % 3 != 2]

FAQS = [
    (
        "parking",
        "医院停车方便吗？",
        "本部院内地下停车场约420个车位，入口在长江路辅路，就诊患者凭当日挂号凭证前2小时免费。",
    ),
    (
        "report-time",
        "检查报告多久能出来？",
        "血常规等常规检验约2小时出结果；CT、磁共振报告一般在检查后1个工作日内发布，可在“查报告单”中查看。",
    ),
    (
        "visiting-hours",
        "住院病人探视时间是几点？",
        "住院部探视时间为每天15:00—20:00，每床每次限1人。",
    ),
    (
        "cancel-booking",
        "预约挂号怎么取消？",
        "在“我的预约”中选择要取消的预约，点击“取消预约”即可；就诊前120分钟之前可取消。",
    ),
    (
        "medical-record",
        "怎么复印病历？",
        "出院后7个工作日起，可携带患者身份证到本部门诊楼一楼病案复印窗口办理，代办需带双方身份证。",
    ),
    (
        "insurance",
        "异地医保可以在你们医院直接结算吗？",
        "已办理异地就医备案的参保人可直接刷医保卡或医保电子凭证结算。",
    ),
    (
        "opening-hours",
        "门诊几点开始上班？",
        "门诊时间为工作日8:00—12:00、13:30—17:00，周六上午有部分专科门诊，急诊24小时开放。",
    ),
    ("nucleic", "周末可以抽血吗？", "周六、周日上午8:00—11:00门诊楼一楼采血中心正常抽血。"),
]

# (question, FAQ key or None): paraphrases, and questions no FAQ answers.
FAQ_LABELLED = [
    ("开车去医院有地方停车吗", "parking"),
    ("停车收费吗", "parking"),
    ("医院停车场在哪里", "parking"),
    ("CT报告要等几天", "report-time"),
    ("抽血结果多久出", "report-time"),
    ("报告什么时候能拿到", "report-time"),
    ("几点可以去病房探望病人", "visiting-hours"),
    ("住院部探视时间", "visiting-hours"),
    ("挂了号不想去了怎么退", "cancel-booking"),
    ("预约错了怎么取消", "cancel-booking"),
    ("复印病历需要带什么", "medical-record"),
    ("出院后怎么复印病历资料", "medical-record"),
    ("外地医保卡能用吗", "insurance"),
    ("异地医保能直接报销吗", "insurance"),
    ("门诊几点开门", "opening-hours"),
    ("周六有门诊吗", "opening-hours"),
    ("星期天能抽血吗", "nucleic"),
    ("周末抽血几点开始", "nucleic"),
    ("我血压160需要吃什么药", None),
    ("孩子发烧39度怎么办", None),
    ("王建国医生哪天出诊", None),
    ("做胃镜前能喝水吗", None),
    ("膝盖疼挂哪个科", None),
    ("怀孕几周可以建档", None),
    ("糖尿病能吃水果吗", None),
    ("近视手术多少钱", None),
    ("你们医院有没有皮肤科", None),
    ("拔牙后多久能吃饭", None),
]

CANNED = [
    (
        None,
        "请到门诊就诊",
        "您好，您描述的情况需要医生当面检查后才能判断，建议您预约相关科室门诊就诊。",
    ),
    ("心血管内科", "血压记录", "您好，请连续一周早晚各测一次血压并记录，就诊时带给医生参考。"),
    (
        "儿科",
        "发热处理",
        "您好，孩子体温超过38.5℃可按说明服用退热药；如精神差、持续高热或抽搐，请立即到儿科急诊就诊。",
    ),
]

POLICY = {"sla_minutes": 240, "reminder_minutes": 60}

# A few consultations of the demo's patient, in several states: (question, minutes ago).
SAMPLES = [
    ("最近老是心慌，晚上睡不好", 30),
    ("孩子咳嗽一周了要不要拍片", 300),
    ("周末可以抽血吗", 60),
]


# The sandbox's template for "your consultation was answered" (outside the 48-hour window).
TEMPLATE_ID = "demo-consult-reply-0000000000000000000001"
TEMPLATE_TITLE = "咨询回复通知"
TEMPLATE_CONTENT = (
    "{{first.DATA}}\n咨询内容：{{keyword1.DATA}}\n回复时间：{{keyword2.DATA}}\n{{remark.DATA}}"
)


def load_consultations(account, openid: str) -> list[str]:
    """Create what is missing; returns labels of what was created (empty on a re-run)."""
    institution = account.institution
    created = []
    departments = {d.name: d for d in Department.objects.filter(institution=institution)}
    policy = {**POLICY, "tpl_consult_reply": TEMPLATE_ID}
    _, made = ConsultPolicy.objects.get_or_create(institution=institution, defaults=policy)
    created += ["consultation policy"] if made else []
    for name, keywords in RULES.items():
        if name in departments:
            _, made = RoutingRule.objects.get_or_create(
                institution=institution,
                department=departments[name],
                defaults={"keywords": keywords},
            )
            created += ["routing rule"] if made else []
    if not RoutingExample.objects.filter(institution=institution, consultation=None).exists():
        wanted = [(q, d) for q, d in EXAMPLES if d in departments]
        vectors = consult_embedding.embed([q for q, _d in wanted])
        RoutingExample.objects.bulk_create(
            RoutingExample(
                institution=institution,
                department=departments[d],
                text=q,
                vector=consult_embedding.to_bytes(v),
            )
            for (q, d), v in zip(wanted, vectors, strict=True)
        )
        created.append(f"{len(wanted)} routing examples")
    for key, question, answer in FAQS:
        faq, made = Faq.objects.get_or_create(
            institution=institution,
            key=key,
            defaults={"question": question, "answer": answer, "approved": True},
        )
        if made:
            consult_faq.refresh_vector(faq)
            created.append("FAQ")
    for department, title, text in CANNED:
        _, made = CannedAnswer.objects.get_or_create(
            institution=institution,
            title=title,
            defaults={"text": text, "department": departments.get(department)},
        )
        created += ["canned answer"] if made else []
    created += _samples(account, openid)
    return created


def _samples(account, openid: str) -> list[str]:
    """The demo patient's consultations: one waiting, one answered, one auto-answered."""
    follower = Follower.objects.filter(account=account, openid=openid).first()
    if follower is None or Consultation.objects.filter(account=account).exists():
        return []
    now = timezone.now()
    made = [
        receive_question(
            account, follower, q, ConsultChannel.WECHAT, at=now - timedelta(minutes=ago)
        )
        for q, ago in SAMPLES
    ]
    reply_consultation(
        made[1].consultation, None, "您好，咳嗽一周如无发热气促，可先观察；如加重请到儿科门诊就诊。"
    )
    return [f"{len(made)} consultations"]
