"""A planned send goes out when due, through wechat's mass send and the sandbox: once, even when
the worker dies between steps; WeChat's job report is recorded; 群发保护 is followed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.outbox.tests.clock import Clock
from carebridge.publishing.actions import sends as send_actions
from carebridge.publishing.models import PlannedSend, PlannedSendStatus
from carebridge.publishing.quota import usage
from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxMessage
from carebridge.wechat.actions.messaging import mass_finished
from carebridge.wechat.client import WeChatClient
from carebridge.wechat.tests.outgoing_helpers import ALICE, BOB, follower, wait_until

from .sends_helpers import plan, previewers


class Crash(BaseException):
    """The worker process dying: not an error any handler catches."""


@pytest.fixture(autouse=True)
def _reports_delivered():
    yield
    wxapi.wait_for_reports()


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def followed(account):
    follower(account, ALICE)
    follower(account, BOB)
    previewers(account.institution, ALICE)  # alice works at the hospital too
    return account


def drain(clock, settings):
    """Run the worker until nothing is due (moving past any lease or backoff)."""
    for _round in range(10):
        if not worker.run_once():
            clock.advance(seconds=settings.OUTBOX_LEASE_SECONDS + 61)
            if not worker.run_once():
                return


def expire_leases(settings):
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    )


def mass_received():
    return sorted(SandboxMessage.objects.filter(kind="mass").values_list("openid", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_planned_send_goes_out_when_due_and_reports_back(sandbox, followed, clock, settings):
    planned = plan(followed, timezone.now() + timedelta(hours=2))
    worker.run_once()  # the preview, now
    assert SandboxMessage.objects.filter(kind="mass", openid=ALICE).count() == 1
    worker.run_once()
    assert PlannedSend.objects.get().status == PlannedSendStatus.PLANNED  # not yet due

    clock.advance(hours=2, seconds=1)
    drain(clock, settings)
    planned.refresh_from_db()
    assert planned.status == PlannedSendStatus.SUBMITTED
    assert planned.mass.status == "sent" and planned.mass.clientmsgid
    assert mass_received() == sorted([ALICE, ALICE, BOB])  # alice: preview + the send
    wait_until(
        lambda: worker.run_once() * 0 or PlannedSend.objects.get().mass.report,
        timeout=20,
        what="MASSSENDJOBFINISH",
    )
    planned.refresh_from_db()
    assert planned.stage()[0] == "finished" and planned.progress == 100
    quota = usage(followed)
    assert (quota.sent, quota.planned) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_a_crash_while_submitting_changes_nothing_and_the_retry_sends_once(
    sandbox, followed, clock, settings, monkeypatch
):
    plan(followed, timezone.now() + timedelta(minutes=5))
    worker.run_once()  # preview
    real_submit = send_actions.submit_mass_send

    def submit_then_crash(mass):
        real_submit(mass)
        raise Crash("killed after taking the quota, before recording the submission")

    monkeypatch.setattr(send_actions, "submit_mass_send", submit_then_crash)
    clock.advance(minutes=6)
    with pytest.raises(Crash):
        worker.run_once()
    monkeypatch.setattr(send_actions, "submit_mass_send", real_submit)
    # The transaction died with the process: no quota taken, no mass queued.
    assert PlannedSend.objects.get().status == PlannedSendStatus.PLANNED
    assert not OutboxMessage.objects.filter(topic="wechat.mass").exists()
    assert usage(followed).sent == 0

    expire_leases(settings)
    drain(clock, settings)
    assert PlannedSend.objects.get().status == PlannedSendStatus.SUBMITTED
    assert mass_received() == sorted([ALICE, ALICE, BOB])
    assert usage(followed).sent == 1


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_wechat_accepted_resumes_without_messaging_anyone_twice(
    sandbox, followed, clock, settings, monkeypatch
):
    plan(followed, timezone.now() + timedelta(minutes=5))
    worker.run_once()  # preview
    clock.advance(minutes=6)
    worker.run_once()  # due: submitted, wechat.mass queued
    assert PlannedSend.objects.get().status == PlannedSendStatus.SUBMITTED
    real_post = WeChatClient.post

    def post_then_crash(self, path, json=None, params=None):
        real_post(self, path, json, params)
        raise Crash("killed before recording WeChat's answer")

    monkeypatch.setattr(WeChatClient, "post", post_then_crash)
    with pytest.raises(Crash):
        worker.run_once()
    monkeypatch.setattr(WeChatClient, "post", real_post)
    planned = PlannedSend.objects.get()
    assert planned.stage()[0] == "queued"  # we do not know yet that WeChat took it

    # Resumed more than a minute later (WeChat answers 45066 to a quicker retry): WeChat
    # recognises the clientmsgid (45065) and gives the earlier msg_id back.
    SandboxMessage.objects.filter(kind="mass_job").update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    expire_leases(settings)
    drain(clock, settings)
    planned.refresh_from_db()
    job = SandboxMessage.objects.get(kind="mass_job")
    assert planned.mass.status == "sent" and planned.mass.msg_id == job.msg_id
    assert mass_received() == sorted([ALICE, ALICE, BOB])  # one each (alice's preview apart)
    assert wxapi.count(wxapi_app(followed), "mass_sends", job_month()) == 1


def wxapi_app(account):
    return account.credentials.app_id


def job_month():
    return timezone.localdate().strftime("%Y-%m")


@pytest.mark.django_db
def test_a_cancelled_send_is_not_submitted_when_due(followed, clock):
    planned = plan(followed, timezone.now() + timedelta(minutes=5))
    send_actions.cancel_planned_send(planned)
    assert send_actions.submit_planned_send(planned.pk).status == PlannedSendStatus.CANCELLED
    assert not OutboxMessage.objects.filter(topic="wechat.mass").exists()


@pytest.mark.django_db
def test_a_month_filled_elsewhere_fails_the_plan_when_due_with_the_reason(followed):
    from carebridge.wechat.models import ApiQuota

    planned = plan(followed, timezone.now() + timedelta(minutes=5))
    ApiQuota.objects.create(
        account=followed, name="mass_month", period=planned.period, used=4
    )  # four sent from WeChat's own back office meanwhile
    planned = send_actions.submit_planned_send(planned.pk)
    assert planned.status == PlannedSendStatus.FAILED and "4" in planned.error


@pytest.mark.django_db
def test_a_scene_segment_is_read_again_when_due(followed):
    from carebridge.wechat.models import Follower

    Follower.objects.filter(openid__in=[ALICE, BOB]).update(source_scene="vaccine_desk")
    planned = plan(
        followed, timezone.now() + timedelta(minutes=5), segment="scene", scene="vaccine_desk"
    )
    Follower.objects.create(
        account=followed, openid="o_newcomer_0000000000000000", subscribed=True,
        source_scene="vaccine_desk",
    )  # fmt: skip
    planned = send_actions.submit_planned_send(planned.pk)
    assert len(planned.mass.openids) == 3


@pytest.mark.django_db
def test_protected_mass_send_waits_for_the_admin_then_reports(followed):
    previewers(followed.institution, ALICE, protection=True)
    planned = plan(followed, timezone.now() + timedelta(minutes=5))
    send_actions.submit_planned_send(planned.pk)
    sent_at = timezone.now()
    planned.mass.__class__.objects.filter(pk=planned.mass_id).update(
        status="sent", msg_id=1000000123, sent_at=sent_at
    )
    planned = PlannedSend.objects.select_related("mass", "institution").get()
    assert planned.stage(sent_at + timedelta(minutes=10))[0] == "confirming"
    assert planned.stage(sent_at + timedelta(minutes=31))[0] == "sending"
    # The administrator refused (or let 30 minutes pass): WeChat reports the job as failed.
    mass_finished(
        followed,
        1000000123,
        {"Status": "send fail", "TotalCount": "2", "FilterCount": "0", "SentCount": "0"},
    )
    planned = PlannedSend.objects.select_related("mass", "institution").get()
    code, words = planned.stage()
    assert code == "report_failed" and "send fail" in words
