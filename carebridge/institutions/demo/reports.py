"""The demo's patients and their reports: a WeChat user on the phone simulator (张敏) holding
herself and her father, with the reports a hospital's HIS would have pushed for them, written
through the results actions (``push_report``, ``push_visit``) as the API writes them, so they are
flagged, released and announced like real ones.

Dates count back from the day of the first load; a report already there (by its HIS id) is left
as it is, so loading again changes nothing."""

from datetime import date, timedelta

from django.utils import timezone

from carebridge.patients.models import Patient
from carebridge.results.actions import push_report, push_visit
from carebridge.results.models import Report, Visit
from carebridge.results.schemas import ReportIn, VisitIn
from carebridge.sandbox.models import SandboxUser
from carebridge.wechat.models import Follower

OPENID = "o_demo_zhangmin_0000000000000"
NICKNAME = "张敏"
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

PATIENTS = [
    # name, sex, born, relation, phone, sequence of the ID number
    ("张敏", "female", date(1986, 4, 12), "self", "13812340001", 34),
    ("张建华", "male", date(1955, 9, 3), "parent", "13812340002", 21),
]

# The account's templates for results/notify.py's messages, and their fields.
TEMPLATE_CONTENT = (
    "{{first.DATA}}\n"
    "就诊人：{{keyword1.DATA}}\n"
    "报告名称：{{keyword2.DATA}}\n"
    "时间：{{keyword3.DATA}}\n"
    "{{remark.DATA}}"
)
TEMPLATES = [
    # (ResultsPolicy field, template id, title)
    ("tpl_report_ready", "demo-report-ready-00000000000000000000001", "报告出具通知"),
    ("tpl_report_withdrawn", "demo-report-withdrawn-0000000000000000001", "报告更正通知"),
]


def resident_id(born: date, sex: str, seq: int, region: str = "320505") -> str:
    """A well-formed GB 11643 number (苏州 虎丘区), check character included."""
    body = f"{region}{born:%Y%m%d}{seq * 2 + (1 if sex == 'male' else 0):03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def _lab(name, value, unit, low, high, code):
    return {
        "code": {"code": code, "text": name},
        "valueQuantity": {"value": value, "unit": unit},
        "referenceRange": [{"low": {"value": low}, "high": {"value": high}}],
    }


def _blood_count(wbc, neut, hgb, plt):
    return [
        _lab("白细胞计数", wbc, "10^9/L", 3.5, 9.5, "WBC"),
        _lab("中性粒细胞百分比", neut, "%", 40, 75, "NEUT%"),
        _lab("红细胞计数", 4.32, "10^12/L", 3.8, 5.1, "RBC"),
        _lab("血红蛋白", hgb, "g/L", 115, 150, "HGB"),
        _lab("血小板计数", plt, "10^9/L", 125, 350, "PLT"),
    ]


def _report(identifier, kind, code, title, days_ago, **body):
    return (
        identifier,
        days_ago,
        {
            "identifier": identifier,
            "meta": {"versionId": 1},
            "status": "final",
            "category": kind,
            "code": {"code": code, "text": title},
            **body,
        },
    )


# patient index → reports (identifier, days ago, body without dates and subject).
REPORTS = {
    0: [
        _report(
            "DEMO-LIS-0001",
            "laboratory",
            "CBC",
            "血常规",
            90,
            performer="周检验",
            specimen="静脉血",
            result=_blood_count(6.2, 58.3, 128, 226),
        ),
        _report(
            "DEMO-LIS-0002",
            "laboratory",
            "CBC",
            "血常规",
            1,
            performer="周检验",
            specimen="静脉血",
            encounter="DEMO-V-0001",
            result=_blood_count(11.8, 79.6, 125, 241),
            conclusion="白细胞计数及中性粒细胞百分比升高,请结合临床",
        ),
        _report(
            "DEMO-PE-0001",
            "checkup",
            "PE-A",
            "2026年度健康体检",
            30,
            performer="陈主检",
            conclusion="1. 血压偏高;2. 体重指数偏高;3. 甲状腺结节(TI-RADS 3类)",
            advice="1. 低盐饮食,每周监测血压,持续偏高请到心内科就诊;\n"
            "2. 控制饮食,每周中等强度运动150分钟;\n3. 甲状腺结节6个月后复查超声",
            section=[
                {
                    "title": "一般检查",
                    "performer": "刘护士",
                    "conclusion": "血压偏高,体重指数偏高",
                    "result": [
                        _lab("收缩压", 142, "mmHg", 90, 139, "SBP"),
                        _lab("舒张压", 86, "mmHg", 60, 89, "DBP"),
                        _lab("体重指数", 25.6, "kg/m2", 18.5, 23.9, "BMI"),
                    ],
                },
                {
                    "title": "内科",
                    "performer": "王医生",
                    "conclusion": "未见明显异常",
                    "result": [{"code": {"text": "心肺听诊"}, "valueString": "未见异常"}],
                },
                {
                    "title": "超声",
                    "performer": "孙医生",
                    "conclusion": "甲状腺右叶结节,TI-RADS 3类",
                    "result": [
                        {"code": {"text": "甲状腺"}, "valueString": "右叶低回声结节 5×4mm,边界清"},
                        {"code": {"text": "肝胆胰脾"}, "valueString": "未见明显异常"},
                    ],
                },
            ],
        ),
    ],
    1: [
        _report(
            "DEMO-LIS-0003",
            "laboratory",
            "LFT",
            "肝功能",
            3,
            performer="周检验",
            specimen="静脉血",
            encounter="DEMO-V-0002",
            result=[
                _lab("丙氨酸氨基转移酶", 32, "U/L", 9, 50, "ALT"),
                _lab("天门冬氨酸氨基转移酶", 28, "U/L", 15, 40, "AST"),
                _lab("总胆红素", 14.6, "μmol/L", 0, 23, "TBIL"),
                _lab("白蛋白", 41.2, "g/L", 40, 55, "ALB"),
                _lab("γ-谷氨酰转移酶", 35, "U/L", 10, 60, "GGT"),
            ],
        ),
        _report(
            "DEMO-RIS-0001",
            "imaging",
            "CT-CHEST",
            "胸部CT平扫",
            3,
            performer="吴影像",
            modality="CT",
            bodySite="胸部",
            encounter="DEMO-V-0002",
            findings="双肺纹理清晰,右肺上叶见一磨玻璃结节,大小约6mm,边界清。"
            "气管及支气管通畅。纵隔内未见肿大淋巴结。心影不大。双侧胸膜未见增厚。",
            conclusion="右肺上叶磨玻璃结节(约6mm),建议12个月后复查胸部CT。",
        ),
    ],
}

# patient index → visits (identifier, days ago, body without dates and subject).
VISITS = {
    0: [
        (
            "DEMO-V-0001",
            1,
            {
                "serviceType": {"code": "0201", "text": "呼吸内科"},
                "participant": [{"name": "李明"}],
                "diagnosis": [{"condition": {"code": "J06.9", "text": "急性上呼吸道感染"}}],
                "prescription": [
                    {
                        "medication": {"code": "M0107", "text": "阿莫西林胶囊 0.25g"},
                        "dosageInstruction": "每日三次,每次两粒,口服",
                        "quantity": {"value": 24, "unit": "粒"},
                    },
                    {
                        "medication": {"code": "M0311", "text": "复方甘草口服溶液 100ml"},
                        "dosageInstruction": "每日三次,每次10ml,口服",
                        "quantity": {"value": 1, "unit": "瓶"},
                    },
                ],
            },
        ),
    ],
    1: [
        (
            "DEMO-V-0002",
            3,
            {
                "serviceType": {"code": "0301", "text": "心血管内科"},
                "participant": [{"name": "陈志强"}],
                "diagnosis": [
                    {"condition": {"code": "I10", "text": "原发性高血压"}},
                    {"condition": {"code": "R91", "text": "肺结节"}},
                ],
                "prescription": [
                    {
                        "medication": {"code": "M0520", "text": "苯磺酸氨氯地平片 5mg"},
                        "dosageInstruction": "每日一次,每次一片,口服",
                        "quantity": {"value": 28, "unit": "片"},
                    },
                ],
            },
        ),
    ],
}


def load_reports(account, now=None) -> list[str]:
    """The demo user, their patients, visits and reports, whatever of them is missing; returns
    labels of what was created."""
    now = now or timezone.now()
    created = []
    SandboxUser.objects.get_or_create(
        app_id=account.credentials.app_id,
        openid=OPENID,
        defaults={"nickname": NICKNAME, "subscribed": True, "subscribed_at": now},
    )
    follower, made = Follower.objects.get_or_create(
        account=account, openid=OPENID, defaults={"subscribed": True, "subscribed_at": now}
    )
    if made:
        created.append("demo WeChat user")
    patients = [_patient(follower, i, *row, created) for i, row in enumerate(PATIENTS)]
    institution = account.institution
    for index, visits in VISITS.items():
        for identifier, days_ago, body in visits:
            if Visit.objects.filter(institution=institution, identifier=identifier).exists():
                continue
            start = now - timedelta(days=days_ago, hours=2)
            data = VisitIn.model_validate(
                {
                    **body,
                    "identifier": identifier,
                    "meta": {"versionId": 1},
                    "status": "finished",
                    "subject": {"patient_id": patients[index].pk},
                    "period": {"start": start.isoformat()},
                }
            )
            push_visit(institution, patients[index], data, now=now)
            created.append("visit")
    for index, reports in REPORTS.items():
        for identifier, days_ago, body in reports:
            if Report.objects.filter(institution=institution, identifier=identifier).exists():
                continue
            taken = now - timedelta(days=days_ago, hours=1)
            data = ReportIn.model_validate(
                {
                    **body,
                    "subject": {"patient_id": patients[index].pk},
                    "effectiveDateTime": taken.isoformat(),
                    "issued": (taken + timedelta(minutes=50)).isoformat(),
                }
            )
            push_report(institution, patients[index], data, now=now)
            created.append("report")
    return created


def _patient(follower, index, name, sex, born, relation, phone, seq, created) -> Patient:
    patient = Patient.objects.filter(owner=follower, name=name).first()
    if patient is not None:
        return patient
    # The demo's own people, written as the patients' action writes them (its SMS code aside).
    patient = Patient(
        owner=follower,
        name=name,
        sex=sex,
        birth_date=born,
        id_type="resident_id",
        relation=relation,
        is_default=index == 0,
    )
    patient.set_id_number(resident_id(born, sex, seq))
    patient.set_phone(phone)
    patient.save()
    created.append("demo patient")
    return patient
