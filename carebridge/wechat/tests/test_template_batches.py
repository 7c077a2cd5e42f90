"""Template messages many at a time: ``send_templates`` writes them with the checks and the quota
of ``send_template``, and the worker delivers them a batch per pass, each with its own outcome."""

import types
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxMessage
from carebridge.wechat import limits, tasks
from carebridge.wechat.actions.messaging import (
    TemplateMessage,
    outbox_dedup_id,
    send_template,
    send_templates,
)
from carebridge.wechat.client import WeChatClient
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.models import ApiQuota, TemplateSend
from carebridge.wechat.models.messaging import SendStatus

from .outgoing_helpers import ALICE, BOB, CAROL, follower

VISIT = {"first": "您已预约成功", "keyword1": "心内科 张医生", "keyword2": "11月23日 上午"}


class Crash(BaseException):
    """The worker process dying: not an error any handler catches."""


def visit(openid, template_id="TPL_visit_ok", url=""):
    return TemplateMessage(openid, template_id, VISIT, url)


def use_quota(account, used):
    period = limits.QUOTAS["template_send"].period_key()
    ApiQuota.objects.create(account=account, name="template_send", period=period, used=used)


def wechat_answers(monkeypatch, calls):
    """WeChat stood in for by a function: each call is recorded and answered with a msgid."""

    def post(self, path, json=None, params=None):
        calls.append(json)
        return {"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(calls)}

    monkeypatch.setattr(WeChatClient, "post", post)


# --- writing ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_message_is_written_with_its_own_delivery_row_and_dedup_id(account):
    messages = [visit(ALICE, url="https://h.example.cn/a/1"), visit(BOB)]
    sends = send_templates(account, messages)
    assert [(s.openid, s.url) for s in sends] == [(ALICE, "https://h.example.cn/a/1"), (BOB, "")]
    assert sends[0].data["first"] == {"value": "您已预约成功"}
    for send in TemplateSend.objects.all():
        [row] = OutboxMessage.objects.filter(topic="wechat.template", payload__send_id=send.pk)
        assert send.client_msg_id == outbox_dedup_id(row)
    assert limits.remaining(account, "template_send") == 100_000 - 2


@pytest.mark.django_db
def test_a_malformed_message_is_refused_alone_and_takes_no_quota(account):
    results = send_templates(
        account,
        [visit(""), visit(ALICE), visit(BOB, "bad template id!"), visit(BOB, url="ftp://x/")],
    )
    assert [getattr(r, "code", "sent") for r in results] == ["openid", "sent", "template_id", "url"]
    assert [s.openid for s in TemplateSend.objects.all()] == [ALICE]
    assert OutboxMessage.objects.filter(topic="wechat.template").count() == 1
    assert limits.remaining(account, "template_send") == 100_000 - 1


@pytest.mark.django_db
def test_the_days_last_templates_go_to_the_first_messages_and_the_rest_are_refused(account):
    use_quota(account, 100_000 - 2)
    results = send_templates(account, [visit(ALICE), visit(""), visit(BOB), visit(CAROL)])
    assert [getattr(r, "code", "sent") for r in results] == [
        "sent",
        "openid",
        "sent",
        "template_send",
    ]
    assert "每天 10 万条" in results[3].messages[0]
    assert limits.remaining(account, "template_send") == 0
    with pytest.raises(LimitExceeded):
        send_template(account, ALICE, "TPL_visit_ok", VISIT)
    assert send_templates(account, [visit(ALICE)])[0].code == "template_send"
    assert TemplateSend.objects.count() == 2


@pytest.mark.django_db
def test_an_account_that_may_not_send_templates_writes_nothing(account):
    account.verified = False
    account.save(update_fields=["verified"])
    results = send_templates(account, [visit(ALICE), visit(BOB)])
    assert [r.code for r in results] == ["not_verified_service"] * 2
    assert not TemplateSend.objects.exists() and not OutboxMessage.objects.exists()
    assert not ApiQuota.objects.exists()


@pytest.mark.django_db
def test_a_larger_amount_is_taken_whole_or_not_at_all(account):
    use_quota(account, 100_000 - 3)
    with pytest.raises(LimitExceeded):
        limits.consume(account, "template_send", amount=4)
    assert limits.remaining(account, "template_send") == 3
    limits.consume(account, "template_send", amount=3)
    assert limits.remaining(account, "template_send") == 0


# --- delivering ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_is_delivered_one_call_each_and_recorded_in_a_few_statements(account, monkeypatch):
    calls = []
    wechat_answers(monkeypatch, calls)
    send_templates(account, [visit(ALICE)])
    with CaptureQueriesContext(connection) as one:
        assert worker.run_once() == 1
    sends = send_templates(account, [visit(ALICE), visit(BOB), visit(CAROL)])
    with CaptureQueriesContext(connection) as three:
        assert worker.run_once() == 3
    assert len(three) == len(one)
    assert [c["touser"] for c in calls] == [ALICE, ALICE, BOB, CAROL]
    rows = {r.payload["send_id"]: r for r in OutboxMessage.objects.filter(topic="wechat.template")}
    for send in sends:
        send.refresh_from_db()
        row = rows[send.pk]
        assert send.status == SendStatus.SENT and send.sent_at is not None
        assert row.status == OutboxStatus.SENT and row.response == send.answer
        assert send.msgid == send.answer["msgid"]
    assert [c["client_msg_id"] for c in calls[1:]] == [s.client_msg_id for s in sends]


@pytest.mark.django_db
def test_calls_stop_at_half_the_lease_and_the_rest_wait_for_a_later_pass(account, monkeypatch):
    calls = []
    wechat_answers(monkeypatch, calls)
    sends = send_templates(account, [visit(ALICE), visit(BOB), visit(CAROL)])
    # The clock: the batch starts at 0 (deadline: half the lease later); the first message is
    # reached at once, the second long after the deadline.
    ticks = iter([0, 0, 10_000, 10_000])
    monkeypatch.setattr(tasks, "time", types.SimpleNamespace(monotonic=lambda: next(ticks)))
    assert worker.run_once() == 3
    assert [c["touser"] for c in calls] == [ALICE]
    statuses = dict(TemplateSend.objects.values_list("openid", "status"))
    assert statuses == {ALICE: SendStatus.SENT, BOB: SendStatus.QUEUED, CAROL: SendStatus.QUEUED}
    waiting = OutboxMessage.objects.filter(topic="wechat.template", status=OutboxStatus.PENDING)
    assert sorted(r.payload["send_id"] for r in waiting) == [sends[1].pk, sends[2].pk]
    assert all(r.available_at > timezone.now() and r.claimed_at is None for r in waiting)


@pytest.mark.django_db
def test_a_slow_batch_records_each_delivery_within_a_second(account, monkeypatch):
    """WeChat's job report may come back before the batch ends: the msgid it names must be on
    record by then (the late report is retried for a few seconds only)."""
    recorded_before_call = []
    sent = TemplateSend.objects.filter(status=SendStatus.SENT).order_by("id")

    def post(self, path, json=None, params=None):
        recorded_before_call.append(list(sent.values_list("openid", flat=True)))
        return {"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(recorded_before_call)}

    monkeypatch.setattr(WeChatClient, "post", post)
    send_templates(account, [visit(ALICE), visit(BOB), visit(CAROL)])
    # Each call takes 0.6 s: alice's and bob's calls are recorded before carol's.
    ticks = iter([0, 0, 0.6, 1.2])
    monkeypatch.setattr(tasks, "time", types.SimpleNamespace(monotonic=lambda: next(ticks)))
    assert worker.run_once() == 3
    assert recorded_before_call == [[], [], [ALICE, BOB]]
    assert TemplateSend.objects.filter(status=SendStatus.SENT).count() == 3


@pytest.mark.django_db
def test_a_send_delivered_before_is_not_delivered_again(account, monkeypatch):
    calls = []
    wechat_answers(monkeypatch, calls)
    [send] = send_templates(account, [visit(ALICE)])
    assert worker.run_once() == 1
    # Its row run again: the worker died after recording the send, before marking the row.
    OutboxMessage.objects.filter(topic="wechat.template").update(
        status=OutboxStatus.PENDING, claimed_at=None
    )
    assert worker.run_once() == 1
    assert len(calls) == 1
    send.refresh_from_db()
    assert OutboxMessage.objects.get(topic="wechat.template").response == send.answer


@pytest.mark.django_db
def test_a_row_whose_send_is_gone_fails_alone(account, monkeypatch):
    calls = []
    wechat_answers(monkeypatch, calls)
    gone, kept = send_templates(account, [visit(ALICE), visit(BOB)])
    TemplateSend.objects.filter(pk=gone.pk).delete()
    assert worker.run_once() == 2
    rows = {r.payload["send_id"]: r for r in OutboxMessage.objects.filter(topic="wechat.template")}
    assert rows[gone.pk].status == OutboxStatus.FAILED
    assert "no longer exists" in rows[gone.pk].last_error
    assert rows[kept.pk].status == OutboxStatus.SENT and [c["touser"] for c in calls] == [BOB]


@pytest.mark.django_db(transaction=True)
def test_each_send_of_a_batch_gets_wechats_own_answer(sandbox, account, settings):
    """Through the sandbox: alice's message is delivered, carol (who unfollowed) is refused for
    good, and bob's meets a busy WeChat and is tried again later, then delivered."""
    settings.WECHAT_BUSY_BACKOFF = []
    follower(account, ALICE)
    follower(account, BOB)
    follower(account, CAROL, subscribed=False)
    alice, bob, carol = send_templates(account, [visit(ALICE), visit(BOB), visit(CAROL)])
    WeChatClient(account).tokens.get()
    wxapi.inject_error(account.credentials.app_id, -1, path="template/send", times=1)
    try:
        # alice's call meets the busy answer first: turn the order round so bob's does.
        OutboxMessage.objects.filter(payload__send_id=alice.pk).update(
            available_at=timezone.now() + timedelta(seconds=1)
        )
        assert worker.run_once() == 2
    finally:
        wxapi.wait_for_reports()
    for send in (bob, carol):
        send.refresh_from_db()
    assert bob.status == SendStatus.QUEUED and carol.status == SendStatus.FAILED
    assert "43004" in carol.error
    OutboxMessage.objects.filter(topic="wechat.template").update(available_at=timezone.now())
    assert worker.run_once() == 2
    for send in (alice, bob):
        send.refresh_from_db()
        assert send.status == SendStatus.SENT
    on_phone = SandboxMessage.objects.filter(kind="template")
    assert sorted(m.openid for m in on_phone) == [ALICE, BOB]
    wxapi.wait_for_reports()


@pytest.mark.django_db(transaction=True)
def test_a_batch_resent_after_a_crash_reaches_each_phone_once(
    sandbox, account, monkeypatch, settings
):
    follower(account, ALICE)
    follower(account, BOB)
    sends = send_templates(account, [visit(ALICE), visit(BOB)])
    real_post = WeChatClient.post
    calls = []

    def crash_after_second(self, path, json=None, params=None):
        answer = real_post(self, path, json, params)
        calls.append(json["touser"])
        if len(calls) == 2:
            raise Crash("killed before recording WeChat's answers")
        return answer

    monkeypatch.setattr(WeChatClient, "post", crash_after_second)
    try:
        with pytest.raises(Crash):
            worker.run_once()
        monkeypatch.undo()
        rows = OutboxMessage.objects.filter(topic="wechat.template")
        assert all(r.status == OutboxStatus.PENDING and r.claimed_at for r in rows)
        assert worker.run_once() == 0  # their lease still runs
        stale = timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
        rows.update(claimed_at=stale)
        assert worker.run_once() == 2
    finally:
        wxapi.wait_for_reports()
    on_phone = SandboxMessage.objects.filter(kind="template")
    assert sorted(m.openid for m in on_phone) == [ALICE, BOB]
    for send in sends:
        send.refresh_from_db()
        assert send.status == SendStatus.SENT
        assert send.msgid == on_phone.get(openid=send.openid).msg_id
