"""The HIS's feed through the JSON API: reports of each kind, withdrawal, visits; a key of
another institution finds nothing, a key without ``reports:push`` may do nothing."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.integrations.models import Scope
from carebridge.patients.models import AccessLog
from carebridge.results.models import Diagnosis, Observation, Report, ReportVersion, Visit

from .conftest import make_key
from .helpers import item, report_body, visit_body

pytestmark = pytest.mark.django_db


def call(client, path, key, body=None):
    kwargs = {"HTTP_X_API_KEY": key} if key else {}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return client.post(f"/api/results{path}", **kwargs)


def state():
    """Everything a call to the results API could change."""
    return (
        list(Report.objects.values_list("pk", "current_id", "withdrawn_at", "visit_id")),
        list(ReportVersion.objects.values_list("pk", "status", "released_at")),
        Observation.objects.count(),
        list(Visit.objects.values_list("pk", "version")),
        Diagnosis.objects.count(),
    )


def test_a_lab_report_is_pushed_flagged_and_released(client, his_key, alice, alice_self):
    body = report_body(alice_self, result=[item("白细胞计数", 11.2, "10^9/L", 3.5, 9.5)])
    r = call(client, "/reports", his_key, body)
    assert r.status_code == 201, r.content
    answer = r.json()
    assert answer["outcome"] == "created" and answer["status"] == "final"
    assert (answer["version"], answer["current_version"], answer["waiting_for"]) == (1, 1, [])
    assert answer["released_at"] is not None
    assert "patient" not in json.dumps(answer)  # the answer names no one
    obs = Observation.objects.get()
    assert (obs.flag, obs.unit, str(obs.value_quantity)) == ("H", "10^9/L", "11.200000")
    assert Report.objects.for_account(alice).visible_to_patient(timezone.now()).count() == 1


def test_the_same_version_again_is_unchanged_and_other_content_a_conflict(
    client, his_key, alice_self
):
    body = report_body(alice_self)
    assert call(client, "/reports", his_key, body).status_code == 201
    before = state()
    r = call(client, "/reports", his_key, body)
    assert (r.status_code, r.json()["outcome"]) == (200, "unchanged")
    r = call(client, "/reports", his_key, {**body, "conclusion": "另一个结论"})
    assert (r.status_code, r.json()["code"]) == (409, "version_conflict")
    assert state() == before


def test_an_imaging_report(client, his_key, alice_self):
    body = report_body(
        alice_self,
        identifier="PACS-77",
        category="imaging",
        code={"code": "CT-CHEST", "text": "胸部CT平扫"},
        result=[],
        modality="CT",
        bodySite="胸部",
        findings="双肺纹理清晰,未见明显实质性病变。",
        conclusion="胸部CT平扫未见明显异常。",
        viewerUrl="https://pacs.renai.example.cn/viewer?study=1.2.840.1",
        media=[{"link": "https://pacs.renai.example.cn/key/1.jpg", "comment": "关键图像"}],
    )
    assert call(client, "/reports", his_key, body).status_code == 201
    version = ReportVersion.objects.get()
    assert (version.modality, version.body_site, version.report.kind) == ("CT", "胸部", "imaging")
    assert version.media == [
        {"link": "https://pacs.renai.example.cn/key/1.jpg", "comment": "关键图像"}
    ]


def test_a_checkup_report_with_sections(client, his_key, alice_self):
    body = report_body(
        alice_self,
        identifier="TJ-2026-001",
        category="checkup",
        code={"code": "PKG-A", "text": "入职体检套餐A"},
        result=[],
        section=[
            {
                "title": "内科",
                "performer": "张医生",
                "conclusion": "未见异常",
                "result": [item("心率", 72, "次/分", 60, 100)],
            },
            {
                "title": "检验科",
                "conclusion": "血脂偏高",
                "result": [item("总胆固醇", 6.1, "mmol/L", high=5.2)],
            },
        ],
        conclusion="1. 血脂偏高",
        advice="低脂饮食,三个月后复查血脂。",
    )
    assert call(client, "/reports", his_key, body).status_code == 201
    version = ReportVersion.objects.get()
    assert [s.title for s in version.sections.all()] == ["内科", "检验科"]
    assert [(o.section.title, o.flag) for o in version.observations.select_related("section")] == [
        ("内科", "N"),
        ("检验科", "H"),
    ]
    assert version.advice.startswith("低脂饮食")


def test_a_report_is_withdrawn_through_the_api(client, his_key, alice, alice_self):
    call(client, "/reports", his_key, report_body(alice_self))
    r = call(client, "/reports/LIS-0001/withdraw", his_key, {"reason": "标本溶血"})
    assert (r.status_code, r.json()["outcome"], r.json()["waiting_for"]) == (
        200,
        "withdrawn",
        ["withdrawn"],
    )
    assert Report.objects.get().withdrawn_reason == "标本溶血"
    assert not Report.objects.for_account(alice).visible_to_patient(
        timezone.now() + timedelta(days=1)
    )
    r = call(client, "/reports/LIS-0001/withdraw", his_key, {})
    assert (r.status_code, r.json()["outcome"]) == (200, "unchanged")
    r = call(client, "/reports", his_key, report_body(alice_self, version=2, status="corrected"))
    assert (r.status_code, r.json()["code"]) == (409, "report_withdrawn")


def test_withdrawing_an_unknown_report_is_a_404(client, his_key):
    r = call(client, "/reports/NOPE/withdraw", his_key, {})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_a_visit_with_diagnosis_and_prescription_links_its_reports(client, his_key, alice_self):
    call(client, "/reports", his_key, report_body(alice_self, encounter="V-0001"))
    r = call(client, "/visits", his_key, visit_body(alice_self))
    assert (r.status_code, r.json()) == (
        201,
        {"identifier": "V-0001", "version": 1, "outcome": "created"},
    )
    visit = Visit.objects.get()
    assert (visit.department, visit.doctor) == ("心内科", "王建国")
    assert [d.code for d in visit.diagnoses.all()] == ["I10"]
    assert visit.prescription.get().quantity == 28
    assert Report.objects.get().visit == visit
    # A report that arrives after its visit is linked at once.
    call(
        client, "/reports", his_key, report_body(alice_self, identifier="LIS-2", encounter="V-0001")
    )
    assert Report.objects.get(identifier="LIS-2").visit == visit


def test_a_newer_visit_replaces_the_older_and_an_older_one_is_ignored(client, his_key, alice_self):
    call(client, "/visits", his_key, visit_body(alice_self, version=2))
    newer = visit_body(
        alice_self, version=3, diagnosis=[{"condition": {"code": "E11", "text": "2型糖尿病"}}]
    )
    assert call(client, "/visits", his_key, newer).json()["outcome"] == "updated"
    before = state()
    r = call(client, "/visits", his_key, visit_body(alice_self, version=1))
    assert (r.status_code, r.json()["outcome"], r.json()["version"]) == (200, "superseded", 3)
    r = call(client, "/visits", his_key, newer)
    assert (r.status_code, r.json()["outcome"]) == (200, "unchanged")
    assert state() == before
    assert [d.name for d in Visit.objects.get().diagnoses.all()] == ["2型糖尿病"]


def test_a_report_naming_another_patients_visit_is_refused(
    client, his_key, alice_self, alice_mother
):
    call(client, "/visits", his_key, visit_body(alice_mother))
    before = state()
    r = call(client, "/reports", his_key, report_body(alice_self, encounter="V-0001"))
    assert (r.status_code, r.json()["code"]) == (409, "encounter_mismatch")
    assert state() == before


def test_a_patient_named_by_card_number_is_found_and_the_look_up_audited(
    client, his_key, alice_self
):
    alice_self.set_card_number("RA00012345")
    alice_self.save()
    body = report_body(alice_self)
    body["subject"] = {"card_number": "RA00012345"}
    assert call(client, "/reports", his_key, body).status_code == 201
    log = AccessLog.objects.get()
    assert (log.patient, log.action, log.api_client.name) == (alice_self, "search", "HIS")
    body["subject"] = {"card_number": "RA99999999"}
    body["identifier"] = "LIS-2"
    r = call(client, "/reports", his_key, body)
    assert (r.status_code, r.json()["code"]) == (404, "patient_not_found")
    assert Report.objects.count() == 1


def test_another_institutions_key_finds_nothing_here(client, his_key, foreign_key, alice_self):
    """新华医院's HIS can neither push for 仁爱's patients nor withdraw 仁爱's report."""
    call(client, "/reports", his_key, report_body(alice_self))
    before = state()
    for path, body in [
        ("/reports", report_body(alice_self, identifier="XH-1")),
        ("/reports/LIS-0001/withdraw", {}),
        ("/visits", visit_body(alice_self)),
    ]:
        r = call(client, path, foreign_key, body)
        assert r.status_code == 404, (path, r.content)
    assert state() == before


def test_the_same_report_id_at_another_institution_is_another_report(
    client, his_key, foreign_key, alice_self, other_hospital
):
    from carebridge.patients.tests import factories

    follower = factories.follower(
        other_hospital.wechat_accounts.get(), "o_xh_carol_000000000000000"
    )
    carol = factories.patient(follower, name="陈小兰")
    call(client, "/reports", his_key, report_body(alice_self))
    assert call(client, "/reports", foreign_key, report_body(carol)).status_code == 201
    assert Report.objects.filter(identifier="LIS-0001").count() == 2


@pytest.mark.parametrize("path", ["/reports", "/reports/LIS-0001/withdraw", "/visits"])
def test_a_key_without_the_scope_or_no_key_may_do_nothing(
    client, hospital, his_key, alice_self, path
):
    call(client, "/reports", his_key, report_body(alice_self))
    before = state()
    reader = make_key(
        hospital, "挂号窗口", scopes=[s for s in Scope.values if s != Scope.REPORTS_PUSH]
    )
    body = {
        "/reports": report_body(alice_self, version=2, status="corrected"),
        "/visits": visit_body(alice_self),
    }.get(path, {})
    r = call(client, path, reader, body)
    assert (r.status_code, r.json()["code"]) == (403, "scope_missing")
    assert call(client, path, None, body).status_code == 401
    assert state() == before


def test_a_new_report_costs_a_bounded_number_of_statements(
    client, hospital, his_key, alice_self, django_assert_max_num_queries
):
    """The HIS's feed is statement-bound (bench/reports_feed.py): the key, the patient, the
    report locked or created, the version and its items, the current pointer, the hold rules,
    the release, the patient's stamp, the template setting, the ready row; the push's own
    savepoint here, its transaction in production."""
    from carebridge.results.models import ResultsPolicy

    ResultsPolicy.objects.create(institution=hospital, tpl_report_ready="TPL_READY")
    call(client, "/reports", his_key, report_body(alice_self, identifier="LIS-0"))
    with django_assert_max_num_queries(14):
        r = call(client, "/reports", his_key, report_body(alice_self, identifier="LIS-1"))
    assert r.status_code == 201 and r.json()["waiting_for"] == []
