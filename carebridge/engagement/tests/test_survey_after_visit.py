"""After-visit satisfaction: N hours (the institution's setting) after a check-in, one template
message linking to the survey for the visit's department and doctor, through the outbox, once.
WeChat is a function recording what it is sent; time is the outbox tests' simulated clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.booking.actions import check_in
from carebridge.booking.errors import WrongState
from carebridge.booking.models import Appointment
from carebridge.booking.signals import appointment_checked_in
from carebridge.engagement.models import SurveyInvitation, SurveyPolicy
from carebridge.engagement.survey_notify import AFTER_VISIT_TOPIC
from carebridge.engagement.survey_tasks import send_after_visit
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.outbox.tests.clock import Clock
from carebridge.wechat.client import WeChatClient

from .helpers import answers, make_survey, visit

pytestmark = pytest.mark.django_db

TEMPLATE = "TPL_after_visit_survey"


@pytest.fixture
def policy(hospital):
    return SurveyPolicy.objects.create(
        institution=hospital, after_visit_hours=24, tpl_after_visit=TEMPLATE
    )


@pytest.fixture
def wechat(monkeypatch):
    calls = []

    def post(self, path, json=None, params=None):
        calls.append(json)
        return {"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(calls)}

    monkeypatch.setattr(WeChatClient, "post", post)
    return calls


def drain() -> None:
    while worker.run_once():
        pass


def sent(calls):
    return [c for c in calls if c and c.get("template_id") == TEMPLATE]


def test_the_survey_goes_out_hours_after_check_in_once(
    policy, alice, alice_client, alice_visit, survey, wechat, monkeypatch, settings
):
    settings.SITE_URL = "https://h5.renai.example.cn"
    row = OutboxMessage.objects.get(topic=AFTER_VISIT_TOPIC)
    assert row.available_at == alice_visit.checked_in_at + timedelta(hours=24)
    drain()
    assert sent(wechat) == []  # not yet due (the visit was less than a day ago)
    Clock(monkeypatch).advance(row.available_at - timezone.now() + timedelta(seconds=5))
    drain()
    [message] = sent(wechat)
    assert message["touser"] == alice.openid
    assert message["url"] == (
        f"https://h5.renai.example.cn/h5/renai/surveys/{survey.pk}/?visit={alice_visit.pk}"
    )
    text = " ".join(field["value"] for field in message["data"].values())
    assert "心内科 王建国" in text and "王*红" in text and "王小红" not in text
    assert SurveyInvitation.objects.get().appointment == alice_visit
    # The surveys page lists it too (a message may be lost), until it is answered.
    waiting = alice_client.get("/h5/renai/surveys/").content.decode()
    assert f"/surveys/{survey.pk}/?visit={alice_visit.pk}" in waiting
    # The handler run again (a worker died before recording it) sends nothing more.
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert send_after_visit(row) == {"after_visit": "invited already"}
    drain()
    assert len(sent(wechat)) == 1
    assert (
        alice_client.post(message["url"].split("example.cn")[1], answers(survey)).status_code == 302
    )
    assert f"?visit={alice_visit.pk}" not in alice_client.get("/h5/renai/surveys/").content.decode()


def test_a_second_check_in_signal_queues_nothing_more(policy, alice_visit, survey):
    appointment_checked_in.send(
        sender=Appointment, appointment=alice_visit, checked_in_at=alice_visit.checked_in_at
    )
    assert OutboxMessage.objects.filter(topic=AFTER_VISIT_TOPIC).count() == 1


def test_the_departments_own_survey_is_chosen(
    alice, alice_self, hospital, cardiology, dr_wang, policy, wechat, monkeypatch
):
    make_survey(hospital, title="全院满意度")
    own = make_survey(hospital, title="心内科满意度", department=cardiology)
    visit(alice_self, alice, cardiology, dr_wang)
    Clock(monkeypatch).advance(hours=25)
    drain()
    [message] = sent(wechat)
    assert f"/surveys/{own.pk}/" in message["url"]


def test_nothing_is_queued_without_a_template(alice_visit, hospital, survey):
    SurveyPolicy.objects.create(institution=hospital, tpl_after_visit="")
    assert not OutboxMessage.objects.filter(topic=AFTER_VISIT_TOPIC).exists()


def test_nothing_is_sent_without_an_open_survey(policy, alice_visit, wechat, monkeypatch):
    Clock(monkeypatch).advance(hours=25)
    drain()
    assert sent(wechat) == []
    row = OutboxMessage.objects.get(topic=AFTER_VISIT_TOPIC)
    assert row.response == {"after_visit": "nothing to send"}


def test_nothing_is_sent_when_the_visit_was_rated_already(
    policy, alice_client, alice_visit, survey, wechat, monkeypatch
):
    path = f"/h5/renai/surveys/{survey.pk}/?visit={alice_visit.pk}"
    assert alice_client.post(path, answers(survey)).status_code == 302
    Clock(monkeypatch).advance(hours=25)
    drain()
    assert sent(wechat) == []


def test_check_in_still_works_when_engagement_has_nothing_to_say(
    alice, alice_self, cardiology, dr_wang
):
    appointment = visit(alice_self, alice, cardiology, dr_wang)  # no policy, no survey
    assert appointment.status == "checked_in"
    assert not OutboxMessage.objects.filter(topic=AFTER_VISIT_TOPIC).exists()
    with pytest.raises(WrongState):
        check_in(appointment, now=appointment.checked_in_at)


def test_an_invitation_a_week_overdue_is_dropped_not_sent(
    policy, alice_visit, survey, wechat, monkeypatch
):
    Clock(monkeypatch).advance(hours=24 + 24 * 8)
    drain()
    assert sent(wechat) == []
    assert OutboxMessage.objects.get(topic=AFTER_VISIT_TOPIC).status == OutboxStatus.EXPIRED
    assert not SurveyInvitation.objects.exists()
