"""The patient's messages about reports (issue 13): "report ready" once per released version,
to the account holding the patient, with a link to the report; "report withdrawn" when a report
they could see is taken back. WeChat is a function recording what it is sent (the sandbox
end to end: test_notify_sandbox.py); time is the outbox tests' simulated clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.outbox.tests.clock import Clock
from carebridge.results.actions import acknowledge_critical, withdraw_report
from carebridge.results.models import ContactMethod, ReleaseRule, ResultsPolicy
from carebridge.results.notify import READY_TOPIC, WITHDRAWN_TOPIC
from carebridge.wechat.client import WeChatClient
from carebridge.wechat.models import TemplateSend
from carebridge.wechat.transport import WeChatError

from .helpers import LOW_POTASSIUM, NOW, push

pytestmark = pytest.mark.django_db

READY, WITHDRAWN = "TPL_report_ready", "TPL_report_withdrawn"


@pytest.fixture
def templates(hospital):
    return ResultsPolicy.objects.create(
        institution=hospital, tpl_report_ready=READY, tpl_report_withdrawn=WITHDRAWN
    )


@pytest.fixture
def wechat(monkeypatch):
    """What WeChat is asked to send, in order (each call answered with a msgid)."""
    calls = []

    def post(self, path, json=None, params=None):
        calls.append(json)
        return {"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(calls)}

    monkeypatch.setattr(WeChatClient, "post", post)
    return calls


def drain() -> None:
    while worker.run_once():
        pass


def sent(calls, template):
    return [c for c in calls if c["template_id"] == template]


def test_a_released_report_is_announced_once_with_a_link_and_no_value(
    alice, alice_self, templates, wechat, settings
):
    settings.SITE_URL = "https://h5.renai.example.cn"
    pushed = push(alice_self)
    drain()
    [message] = sent(wechat, READY)
    assert message["touser"] == alice.openid
    assert message["url"] == f"https://h5.renai.example.cn/h5/renai/reports/{pushed.report.pk}/"
    text = " ".join(field["value"] for field in message["data"].values())
    assert "王*红" in text
    assert "王小红" not in text
    assert "血常规" in text
    assert "6.1" not in text and "128" not in text  # never a value


def test_a_retried_push_or_a_second_release_sends_nothing_more(alice_self, templates, wechat):
    from carebridge.results.actions import release_report

    pushed = push(alice_self)
    push(alice_self)  # the HIS retries the same version
    release_report(pushed.version)
    drain()
    push(alice_self)
    drain()
    assert len(sent(wechat, READY)) == 1
    assert OutboxMessage.objects.filter(topic=READY_TOPIC).count() == 1


def test_each_new_version_is_announced(alice_self, templates, wechat):
    push(alice_self)
    drain()
    push(alice_self, version=2, status="corrected")
    drain()
    assert len(sent(wechat, READY)) == 2


def test_nothing_is_queued_without_a_template(alice_self, hospital, wechat):
    ResultsPolicy.objects.create(institution=hospital)  # no template ids
    pushed = push(alice_self)
    withdraw_report(pushed.report, reason="entered-in-error", now=NOW + timedelta(hours=1))
    drain()
    assert not OutboxMessage.objects.filter(topic__startswith="results.").exists()
    assert wechat == []


def test_another_account_not_holding_the_patient_gets_nothing(
    alice, alice_self, bob, bob_self, templates, wechat
):
    push(alice_self)
    drain()
    assert [c["touser"] for c in wechat] == [alice.openid]


def test_a_delayed_release_is_sent_when_the_delay_ends_not_before(
    alice_self, hospital, templates, wechat, monkeypatch
):
    clock = Clock(monkeypatch)
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    now = timezone.now()
    push(alice_self, now=now, issued=now.isoformat(), effectiveDateTime=now.isoformat())
    drain()
    assert wechat == []
    clock.advance(days=2, hours=23)
    drain()
    assert wechat == []
    clock.advance(hours=1, seconds=1)
    drain()
    assert len(sent(wechat, READY)) == 1


def test_a_version_overtaken_during_its_delay_is_not_announced(
    alice_self, hospital, templates, wechat, monkeypatch
):
    clock = Clock(monkeypatch)
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    now = timezone.now()
    times = {"issued": now.isoformat(), "effectiveDateTime": now.isoformat()}
    push(alice_self, now=now, **times)
    push(alice_self, now=now + timedelta(days=1), version=2, status="corrected", **times)
    clock.advance(days=3, seconds=1)
    drain()
    assert len(sent(wechat, READY)) == 1  # the correction, not the version it replaced
    outcomes = OutboxMessage.objects.filter(topic=READY_TOPIC).order_by("id")
    assert [m.response for m in outcomes] == [
        {"ready": "no longer released"},
        {"ready": ["written"], "sends": [TemplateSend.objects.get().pk]},
    ]


def test_a_report_held_for_an_unacknowledged_critical_value_is_never_announced(
    alice_self, templates, wechat, dr_li
):
    pushed = push(alice_self, result=LOW_POTASSIUM)
    drain()
    assert wechat == []
    assert not OutboxMessage.objects.filter(topic=READY_TOPIC).exists()
    # Once a clinician has reached the patient, the report is released and announced.
    acknowledge_critical(pushed.version, by=dr_li, contact=ContactMethod.PHONE, now=NOW)
    drain()
    assert len(sent(wechat, READY)) == 1


def test_a_report_withdrawn_after_its_message_is_corrected_by_a_notice(
    alice, alice_self, templates, wechat
):
    pushed = push(alice_self)
    drain()
    withdraw_report(pushed.report, reason="entered-in-error", now=NOW + timedelta(hours=1))
    withdraw_report(pushed.report, reason="entered-in-error", now=NOW + timedelta(hours=2))
    drain()
    assert [c["template_id"] for c in wechat] == [READY, WITHDRAWN]
    notice = wechat[1]
    assert notice["touser"] == alice.openid
    assert "url" not in notice or not notice["url"]  # nothing left to open
    assert "血常规" in notice["data"]["keyword2"]["value"]


def test_a_report_withdrawn_before_its_message_went_out_drops_it_with_a_reason(
    alice_self, templates, wechat
):
    pushed = push(alice_self)
    withdraw_report(pushed.report, reason="entered-in-error", now=NOW + timedelta(minutes=5))
    drain()
    ready = OutboxMessage.objects.get(topic=READY_TOPIC)
    assert ready.status == OutboxStatus.EXPIRED
    assert "撤回" in ready.last_error
    assert sent(wechat, READY) == []
    # The patient could have opened it in their list meanwhile: they are told.
    assert len(sent(wechat, WITHDRAWN)) == 1


def test_a_report_withdrawn_during_its_delay_sends_nothing(
    alice_self, hospital, templates, wechat, monkeypatch
):
    clock = Clock(monkeypatch)
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    now = timezone.now()
    pushed = push(alice_self, now=now, issued=now.isoformat(), effectiveDateTime=now.isoformat())
    withdraw_report(pushed.report, reason="entered-in-error", now=now + timedelta(days=1))
    clock.advance(days=4)
    drain()
    assert wechat == []
    assert OutboxMessage.objects.get(topic=READY_TOPIC).status == OutboxStatus.EXPIRED
    assert not OutboxMessage.objects.filter(topic=WITHDRAWN_TOPIC).exists()


def test_an_archived_patient_is_not_messaged(alice_self, templates, wechat):
    push(alice_self)
    alice_self.archived_at = NOW
    alice_self.save(update_fields=["archived_at"])
    drain()
    assert wechat == []
    assert OutboxMessage.objects.get(topic=READY_TOPIC).response == {"ready": "nothing to send"}


def test_a_ready_message_wechat_has_not_taken_yet_is_dropped_at_withdrawal(
    alice_self, templates, wechat, monkeypatch
):
    def down(self, path, json=None, params=None):
        raise WeChatError(None, "connection refused")

    pushed = push(alice_self)
    with monkeypatch.context() as outage:
        outage.setattr(WeChatClient, "post", down)
        drain()  # the ready row becomes a template row, which WeChat does not take
    [row] = OutboxMessage.objects.filter(topic="wechat.template")
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    withdraw_report(pushed.report, reason="entered-in-error", now=NOW + timedelta(hours=1))
    row.refresh_from_db()
    assert row.status == OutboxStatus.EXPIRED and "撤回" in row.last_error
    send = TemplateSend.objects.get(template_id=READY)
    assert send.status == "failed" and "撤回" in send.error
    drain()  # WeChat is back: only the notice goes out
    assert [c["template_id"] for c in wechat] == [WITHDRAWN]
