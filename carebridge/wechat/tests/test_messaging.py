"""Template messages and mass sends: limits before the call, the outbox send, WeChat's job
reports, and a crash between WeChat's answer and our bookkeeping that delivers nothing twice."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from carebridge.institutions.models import AccountType
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxMessage
from carebridge.wechat import limits
from carebridge.wechat.actions.messaging import mass_send, preview_mass_send, send_template
from carebridge.wechat.client import WeChatClient
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.models import ApiQuota, MassSend, TemplateSend
from carebridge.wechat.models.messaging import SendStatus

from .outgoing_helpers import ALICE, BOB, CAROL, app_id, follower, wait_until

VISIT = {"first": "您已预约成功", "keyword1": "心内科 张医生", "keyword2": "11月23日 上午"}


class Crash(BaseException):
    """The worker process dying: not an error any handler catches."""


@pytest.fixture(autouse=True)
def _reports_delivered():
    yield
    wxapi.wait_for_reports()  # no report thread outlives its test


def crash_after_wechat_answers(monkeypatch):
    real_post = WeChatClient.post

    def post_then_crash(self, path, json=None, params=None):
        real_post(self, path, json, params)
        raise Crash("killed before recording WeChat's answer")

    monkeypatch.setattr(WeChatClient, "post", post_then_crash)


def expire_lease(row, settings):
    OutboxMessage.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    )


def drain_until(predicate, what):
    return wait_until(lambda: worker.run_once() * 0 or predicate(), timeout=20, what=what)


# --- template messages --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_template_message_reaches_the_phone_and_reports_its_delivery(sandbox, account):
    follower(account, ALICE)
    send = send_template(account, ALICE, "TPL_visit_ok", VISIT, url="https://h.example.cn/a/1")
    assert worker.run_once() == 1
    send.refresh_from_db()
    assert send.status == SendStatus.SENT and send.answer["errcode"] == 0
    on_phone = SandboxMessage.objects.get(openid=ALICE, kind="template")
    assert on_phone.msg_id == send.msgid
    assert on_phone.body["data"]["keyword1"] == {"value": "心内科 张医生"}
    assert on_phone.dedup_key == send.client_msg_id

    drain_until(
        lambda: TemplateSend.objects.get(pk=send.pk).delivery == "success",
        "TEMPLATESENDJOBFINISH",
    )


@pytest.mark.django_db(transaction=True)
def test_a_template_resent_after_a_crash_reaches_the_phone_once(
    sandbox, account, monkeypatch, settings
):
    follower(account, ALICE)
    send = send_template(account, ALICE, "TPL_visit_ok", VISIT)
    crash_after_wechat_answers(monkeypatch)
    with pytest.raises(Crash):
        worker.run_once()
    monkeypatch.undo()
    row = OutboxMessage.objects.get(topic="wechat.template")
    assert row.status == OutboxStatus.PENDING and row.claimed_at is not None
    assert worker.run_once() == 0  # its lease still runs

    expire_lease(row, settings)
    assert worker.run_once() == 1
    send.refresh_from_db()
    on_phone = SandboxMessage.objects.filter(openid=ALICE, kind="template")
    assert on_phone.count() == 1
    assert send.status == SendStatus.SENT and send.msgid == on_phone.get().msg_id
    # The report that arrived before we knew the msgid is applied once we do.
    drain_until(
        lambda: TemplateSend.objects.get(pk=send.pk).delivery == "success", "the late report"
    )


@pytest.mark.django_db(transaction=True)
def test_a_late_report_waits_for_the_resend_after_a_crash_however_many_tries_that_takes(
    sandbox, account, monkeypatch, settings
):
    """The report comes within a second; the send that records its msgid only when the crashed
    row is run again, after its 60-second lease. However often the report is tried meanwhile,
    it waits, and the delivery status reaches the send."""
    follower(account, ALICE)
    send = send_template(account, ALICE, "TPL_visit_ok", VISIT)
    real_post = WeChatClient.post
    crash_after_wechat_answers(monkeypatch)
    with pytest.raises(Crash):
        worker.run_once()
    monkeypatch.setattr(WeChatClient, "post", real_post)
    wxapi.wait_for_reports()
    late = OutboxMessage.objects.get(topic="wechat.late_report")
    for _ in range(6):  # each try well within the crashed row's lease
        OutboxMessage.objects.filter(pk=late.pk).update(available_at=timezone.now())
        assert worker.run_once() == 1
    late.refresh_from_db()
    assert late.status == OutboxStatus.PENDING and late.attempts == 6
    assert "yet" in late.last_error

    expire_lease(OutboxMessage.objects.get(topic="wechat.template"), settings)
    worker.run_once()  # the resend: WeChat answers with the first msgid, delivers nothing new
    OutboxMessage.objects.filter(pk=late.pk).update(available_at=timezone.now())
    worker.run_once()
    late.refresh_from_db()
    send.refresh_from_db()
    assert late.status == OutboxStatus.SENT and send.delivery == "success"
    assert SandboxMessage.objects.filter(openid=ALICE, kind="template").count() == 1


@pytest.mark.django_db
def test_a_report_no_send_of_ours_can_match_is_given_up_at_once(account):
    from carebridge.wechat.actions.messaging import template_finished

    template_finished(account, 987654321, "success")
    late = OutboxMessage.objects.get(topic="wechat.late_report")
    OutboxMessage.objects.filter(pk=late.pk).update(available_at=timezone.now())
    worker.run_once()
    late.refresh_from_db()
    assert late.status == OutboxStatus.FAILED and "not ours" in late.last_error
    assert not late.alert


@pytest.mark.django_db
def test_a_report_that_came_before_a_send_was_written_does_not_wait_for_that_send(account):
    from carebridge.wechat.actions.messaging import template_finished

    template_finished(account, 987654321, "success")
    send_template(account, ALICE, "TPL_visit_ok", VISIT)  # written after the report arrived
    late = OutboxMessage.objects.get(topic="wechat.late_report")
    OutboxMessage.objects.filter(pk=late.pk).update(available_at=timezone.now())
    worker.run_once()
    late.refresh_from_db()
    assert late.status == OutboxStatus.FAILED


@pytest.mark.django_db
def test_a_template_wechat_never_answered_for_24_hours_fails_with_the_reason(
    account, settings, clock
):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"
    settings.WECHAT_BUSY_BACKOFF = []
    send = send_template(account, ALICE, "TPL_visit_ok", VISIT)
    worker.run_once()
    row = OutboxMessage.objects.get(topic="wechat.template")
    clock.advance(hours=24)
    OutboxMessage.objects.filter(pk=row.pk).update(available_at=timezone.now())
    worker.run_once()
    row.refresh_from_db()
    send.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.alert
    assert send.status == SendStatus.FAILED
    assert send.error.startswith("重试 24 小时后仍未发出：无法连接微信服务器")


@pytest.mark.django_db
def test_a_template_whose_moment_passed_while_wechat_was_down_is_not_sent(
    account, settings, clock, monkeypatch
):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"
    settings.WECHAT_BUSY_BACKOFF = []
    visit_starts = timezone.now() + timedelta(hours=1)
    send = send_template(account, ALICE, "TPL_visit_ok", VISIT, expires_at=visit_starts)
    worker.run_once()
    clock.advance(hours=2)  # WeChat answers again only once the visit has started
    calls = []
    monkeypatch.setattr(WeChatClient, "post", lambda *a, **k: calls.append(a) or {"msgid": 1})
    OutboxMessage.objects.filter(topic="wechat.template").update(available_at=timezone.now())
    worker.run_once()
    row = OutboxMessage.objects.get(topic="wechat.template")
    send.refresh_from_db()
    assert calls == [] and row.status == OutboxStatus.EXPIRED
    assert send.status == SendStatus.FAILED and send.error.startswith("已过期：")


@pytest.mark.django_db
def test_an_unreachable_wechat_costs_one_call_per_batch_not_one_per_message(
    account, settings, monkeypatch
):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"
    settings.WECHAT_BUSY_BACKOFF = []
    calls = []
    real_call = WeChatClient._call

    def counted(self, *args, **kwargs):
        calls.append(args)
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(WeChatClient, "_call", counted)
    for openid in (ALICE, BOB, CAROL):
        send_template(account, openid, "TPL_visit_ok", VISIT)
    assert worker.run_once() == 3
    assert len(calls) == 1
    rows = OutboxMessage.objects.filter(topic="wechat.template")
    assert all(
        r.status == OutboxStatus.PENDING and "无法连接微信服务器" in r.last_error for r in rows
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "account_type, verified",
    [(AccountType.SUBSCRIPTION, True), (AccountType.SERVICE, False)],
)
def test_only_verified_service_accounts_send_templates(account, account_type, verified):
    account.account_type, account.verified = account_type, verified
    account.save(update_fields=["account_type", "verified"])
    with pytest.raises(LimitExceeded, match="只有已认证的服务号可以发送模板消息"):
        send_template(account, ALICE, "TPL_visit_ok", VISIT)
    assert not TemplateSend.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "openid, template_id, data, url",
    [
        ("", "TPL_visit_ok", VISIT, ""),
        (ALICE, "bad template id!", VISIT, ""),
        (ALICE, "TPL_visit_ok", {}, ""),
        (ALICE, "TPL_visit_ok", {"first": 3}, ""),
        (ALICE, "TPL_visit_ok", {"first": {"color": "#000"}}, ""),
        (ALICE, "TPL_visit_ok", ["first"], ""),
        (ALICE, "TPL_visit_ok", VISIT, "ftp://h.example.cn/"),
    ],
)
def test_a_malformed_template_message_changes_nothing(account, openid, template_id, data, url):
    with pytest.raises(LimitExceeded):
        send_template(account, openid, template_id, data, url=url)
    assert not TemplateSend.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not ApiQuota.objects.exists()


@pytest.mark.django_db
def test_no_template_is_queued_past_the_days_100000(account):
    period = limits.QUOTAS["template_send"].period_key()
    ApiQuota.objects.create(account=account, name="template_send", period=period, used=100_000)
    with pytest.raises(LimitExceeded, match="每天 10 万条"):
        send_template(account, ALICE, "TPL_visit_ok", VISIT)
    assert not TemplateSend.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_change_sends_no_template(account):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_template(account, ALICE, "TPL_visit_ok", VISIT)
        raise RuntimeError("the booking failed")
    assert not TemplateSend.objects.exists() and not OutboxMessage.objects.exists()
    assert limits.remaining(account, "template_send") == 100_000


@pytest.mark.django_db(transaction=True)
def test_wechats_refusal_fails_the_send_with_its_reason(sandbox, account):
    follower(account, CAROL, subscribed=False)
    send = send_template(account, CAROL, "TPL_visit_ok", VISIT)
    worker.run_once()
    send.refresh_from_db()
    assert send.status == SendStatus.FAILED
    assert "用户未关注公众号" in send.error and "43004" in send.error
    assert OutboxMessage.objects.get(topic="wechat.template").status == OutboxStatus.FAILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("errcode", [-1, 45009, 45011], ids=["busy", "day-quota", "minute-quota"])
def test_a_busy_or_rate_limited_wechat_is_tried_again_later(sandbox, account, settings, errcode):
    settings.WECHAT_BUSY_BACKOFF = []
    follower(account, ALICE)
    send = send_template(account, ALICE, "TPL_visit_ok", VISIT)
    WeChatClient(account).tokens.get()
    wxapi.inject_error(app_id(account), errcode, path="template/send")
    worker.run_once()
    row = OutboxMessage.objects.get(topic="wechat.template")
    assert row.status == OutboxStatus.PENDING and row.available_at > timezone.now()
    assert str(errcode) in row.last_error
    send.refresh_from_db()
    assert send.status == SendStatus.QUEUED

    OutboxMessage.objects.filter(pk=row.pk).update(available_at=timezone.now())
    worker.run_once()
    send.refresh_from_db()
    assert send.status == SendStatus.SENT


# --- mass sends ---------------------------------------------------------------------------

NOTICE = {
    "title": "冬季流感疫苗接种通知",
    "msgtype": "text",
    "content": {"content": "本周六起接种"},
}


@pytest.mark.django_db
def test_a_service_account_mass_sends_four_times_a_month(account):
    for _ in range(4):
        mass_send(account, **NOTICE)
    with pytest.raises(LimitExceeded, match="本月群发次数已用完（服务号每月 4 次）"):
        mass_send(account, **NOTICE)
    assert MassSend.objects.count() == 4


@pytest.mark.django_db
def test_a_subscription_account_mass_sends_once_a_day(account):
    account.account_type = AccountType.SUBSCRIPTION
    account.save(update_fields=["account_type"])
    mass_send(account, **NOTICE)
    with pytest.raises(LimitExceeded, match="订阅号每天 1 次"):
        mass_send(account, **NOTICE)
    tomorrow = timezone.now() + timedelta(days=1)
    assert limits.remaining(account, "mass_day", now=tomorrow) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"msgtype": "sms", "content": {"content": "x"}},
        {"msgtype": "text", "content": {"content": "  "}},
        {"msgtype": "mpnews", "content": {}},
        {"msgtype": "text", "content": "not a dict"},
        {"msgtype": "text", "content": {"content": "x"}, "openids": [ALICE]},
        {"msgtype": "text", "content": {"content": "x"}, "openids": [ALICE, ALICE]},
        {"msgtype": "text", "content": {"content": "x"}, "openids": [ALICE, BOB], "tag_id": 2},
    ],
)
def test_a_malformed_mass_send_changes_nothing(account, fields):
    with pytest.raises(LimitExceeded):
        mass_send(account, title="通知", **fields)
    assert not MassSend.objects.exists() and not ApiQuota.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_mass_send_reaches_every_follower_and_reports_back(sandbox, account):
    follower(account, ALICE)
    follower(account, BOB)
    follower(account, CAROL, subscribed=False)
    mass = mass_send(account, **NOTICE)
    assert worker.run_once() == 1
    mass.refresh_from_db()
    assert mass.status == SendStatus.SENT and mass.msg_id
    received = SandboxMessage.objects.filter(kind="mass", msg_id=mass.msg_id)
    assert sorted(received.values_list("openid", flat=True)) == sorted([ALICE, BOB])
    report = drain_until(lambda: MassSend.objects.get(pk=mass.pk).report, "MASSSENDJOBFINISH")
    assert report["Status"] == "send success" and report["SentCount"] == "2"


@pytest.mark.django_db(transaction=True)
def test_a_mass_send_to_chosen_followers(sandbox, account):
    for openid in (ALICE, BOB, CAROL):
        follower(account, openid)
    mass = mass_send(account, openids=[ALICE, BOB], **NOTICE)
    worker.run_once()
    received = SandboxMessage.objects.filter(kind="mass", msg_id=MassSend.objects.get().msg_id)
    assert sorted(received.values_list("openid", flat=True)) == sorted([ALICE, BOB])
    assert mass.openids == sorted([ALICE, BOB])


@pytest.mark.django_db(transaction=True)
def test_a_mass_send_resumed_after_a_crash_goes_out_once(sandbox, account, monkeypatch, settings):
    follower(account, ALICE)
    follower(account, BOB)
    mass = mass_send(account, **NOTICE)
    crash_after_wechat_answers(monkeypatch)
    with pytest.raises(Crash):
        worker.run_once()
    monkeypatch.undo()
    row = OutboxMessage.objects.get(topic="wechat.mass")

    expire_lease(row, settings)
    worker.run_once()  # within the minute WeChat says: retry later (45066)
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and "45066" in row.last_error

    SandboxMessage.objects.filter(kind="mass_job").update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    OutboxMessage.objects.filter(pk=row.pk).update(available_at=timezone.now())
    worker.run_once()  # 45065: already sent, here is its msg_id
    mass.refresh_from_db()
    job = SandboxMessage.objects.get(kind="mass_job")
    assert mass.status == SendStatus.SENT and mass.msg_id == job.msg_id
    assert SandboxMessage.objects.filter(kind="mass").count() == 2  # one each, not two
    assert wxapi.count(app_id(account), "mass_sends", timezone.localdate().strftime("%Y-%m")) == 1


@pytest.mark.django_db(transaction=True)
def test_wechats_refusal_fails_the_mass_send_and_gives_its_quota_back(sandbox, account):
    follower(account, ALICE)
    mass = mass_send(account, **NOTICE)
    assert limits.remaining(account, "mass_month") == 3
    WeChatClient(account).tokens.get()
    wxapi.inject_error(app_id(account), 40007, path="mass/sendall")
    worker.run_once()
    mass.refresh_from_db()
    assert mass.status == SendStatus.FAILED and "40007" in mass.error
    assert limits.remaining(account, "mass_month") == 4


@pytest.mark.django_db
def test_past_60_calls_a_minute_the_send_waits(account, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"  # no call may be made
    mass_send(account, **NOTICE)
    period = limits.QUOTAS["mass_minute"].period_key()
    ApiQuota.objects.create(account=account, name="mass_minute", period=period, used=60)
    worker.run_once()
    row = OutboxMessage.objects.get(topic="wechat.mass")
    assert row.status == OutboxStatus.PENDING and "每分钟 60 次" in row.last_error


@pytest.mark.django_db(transaction=True)
def test_a_preview_goes_to_the_test_user_only(sandbox, account):
    follower(account, ALICE)
    follower(account, BOB)
    mass = mass_send(account, preview_openid=ALICE, **NOTICE)
    preview_mass_send(mass)
    worker.run_once()  # the mass send and the preview
    previews = SandboxMessage.objects.filter(kind="mass", body__preview=True)
    assert list(previews.values_list("openid", flat=True)) == [ALICE]
    assert limits.remaining(account, "mass_preview") == 99


@pytest.mark.django_db
def test_a_preview_needs_a_test_user(account):
    mass = mass_send(account, **NOTICE)
    with pytest.raises(LimitExceeded, match="请填写预览用户的 OpenID"):
        preview_mass_send(mass)
    assert not OutboxMessage.objects.filter(topic="wechat.mass_preview").exists()
