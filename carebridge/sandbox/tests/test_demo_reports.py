"""The demo's reports (issue 13): the demo user 张敏 sees hers and her father's at once, flagged,
with a trend, and each was announced on her phone with the demo's report-ready template."""

import pytest
from django.utils import timezone

from carebridge.institutions.demo import reports as demo_reports
from carebridge.institutions.demo.load import load_demo
from carebridge.outbox.models import OutboxMessage
from carebridge.results.models import Observation, Report, ResultsPolicy, Visit
from carebridge.results.notify import READY_TOPIC
from carebridge.sandbox.models import SandboxTemplate
from carebridge.sandbox.phone.identity import app_id_of
from carebridge.wechat.models import Follower

pytestmark = pytest.mark.django_db


def counts():
    return {
        "reports": Report.objects.count(),
        "visits": Visit.objects.count(),
        "observations": Observation.objects.count(),
        "ready messages": OutboxMessage.objects.filter(topic=READY_TOPIC).count(),
    }


def test_the_demo_user_sees_every_report_at_once():
    loaded = load_demo("http://127.0.0.1:8000")
    follower = Follower.objects.get(account=loaded.account, openid=demo_reports.OPENID)
    visible = Report.objects.for_account(follower).visible_to_patient(timezone.now())
    assert sorted(visible.values_list("title", flat=True)) == sorted(
        ["血常规", "血常规", "肝功能", "胸部CT平扫", "2026年度健康体检"]
    )
    latest = visible.filter(title="血常规").newest_first().first()
    flags = dict(latest.current.observations.values_list("code", "flag"))
    assert flags["WBC"] == "H" and flags["HGB"] == "N"
    ct = visible.get(kind="imaging").current
    assert ct.findings and ct.conclusion and ct.modality == "CT"
    checkup = visible.get(kind="checkup").current
    assert checkup.sections.count() == 3 and checkup.advice
    visit = Visit.objects.get(identifier="DEMO-V-0002")
    assert visit.diagnoses.count() == 2 and visit.prescription.count() == 1
    assert visit.reports.count() == 2  # 肝功能 and the CT name it
    assert counts()["ready messages"] == 5


def test_the_report_templates_are_in_the_phones_library():
    loaded = load_demo("http://127.0.0.1:8000")
    policy = ResultsPolicy.objects.get(institution=loaded.institution)
    library = dict(
        SandboxTemplate.objects.filter(app_id=app_id_of(loaded.account)).values_list(
            "template_id", "title"
        )
    )
    assert library[policy.tpl_report_ready] == "报告出具通知"
    assert library[policy.tpl_report_withdrawn] == "报告更正通知"


def test_loading_again_adds_and_announces_nothing():
    first = load_demo("http://127.0.0.1:8000")
    before = counts()
    second = load_demo("http://127.0.0.1:8000")
    assert counts() == before
    assert "report" in first.created and second.created == []
