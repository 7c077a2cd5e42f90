"""Report and visit bodies as the HIS sends them, and pushes through the one action."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from carebridge.results import actions
from carebridge.results.schemas import ReportIn, VisitIn

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The moment the tests' reports arrive: a Monday morning.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def item(name, value=None, unit="", low=None, high=None, code="", **extra):
    """A lab item: a number (or, as ``text``, a text value) with one normal range."""
    body = {"code": {"code": code or name, "text": name}}
    if isinstance(value, str):
        body["valueString"] = value
    elif value is not None:
        body["valueQuantity"] = {"value": value, "unit": unit}
    if low is not None or high is not None:
        body["referenceRange"] = [
            {
                **({"low": {"value": low}} if low is not None else {}),
                **({"high": {"value": high}} if high is not None else {}),
            }
        ]
    body.update(extra)
    return body


# Potassium 2.4 mmol/L: below its critical limit of 2.8 (a critical value, held for a clinician).
LOW_POTASSIUM = [
    item(
        "钾",
        2.4,
        "mmol/L",
        referenceRange=[
            {"low": {"value": 3.5}, "high": {"value": 5.3}},
            {"type": "critical", "low": {"value": 2.8}, "high": {"value": 6.2}},
        ],
    )
]


def blood_count(items=None):
    """血常规 with normal values, unless ``items``."""
    return items or [
        item("白细胞计数", 6.1, "10^9/L", 3.5, 9.5, code="WBC"),
        item("血红蛋白", 128, "g/L", 115, 150, code="HGB"),
    ]


def report_body(patient, identifier="LIS-0001", version=1, status="final", **changes):
    """A lab report (血常规) about ``patient`` as the HIS pushes it."""
    body = {
        "identifier": identifier,
        "meta": {"versionId": version},
        "status": status,
        "category": "laboratory",
        "code": {"code": "CBC", "text": "血常规"},
        "subject": {"patient_id": patient.pk},
        "effectiveDateTime": (NOW - timedelta(hours=3)).isoformat(),
        "issued": (NOW - timedelta(hours=1)).isoformat(),
        "performer": "李检验",
        "specimen": "静脉血",
        "result": blood_count(),
    }
    body.update(changes)
    return body


def push(patient, now=NOW, **changes):
    """Push a report about ``patient`` to their institution, as the API does."""
    data = ReportIn.model_validate(report_body(patient, **changes))
    institution = patient.owner.account.institution
    return actions.push_report(institution, patient, data, now=now)


def visit_body(patient, identifier="V-0001", version=1, **changes):
    body = {
        "identifier": identifier,
        "meta": {"versionId": version},
        "status": "finished",
        "subject": {"patient_id": patient.pk},
        "period": {"start": (NOW - timedelta(hours=5)).isoformat()},
        "serviceType": {"code": "0301", "text": "心内科"},
        "participant": [{"name": "王建国"}],
        "diagnosis": [{"condition": {"code": "I10", "text": "原发性高血压"}}],
        "prescription": [
            {
                "medication": {"code": "X01", "text": "苯磺酸氨氯地平片 5mg"},
                "dosageInstruction": "每日一次,每次一片,口服",
                "quantity": {"value": 28, "unit": "片"},
            }
        ],
    }
    body.update(changes)
    return body


def push_visit(patient, now=NOW, **changes):
    data = VisitIn.model_validate(visit_body(patient, **changes))
    return actions.push_visit(patient.owner.account.institution, patient, data, now=now)
