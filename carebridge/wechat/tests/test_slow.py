"""The 5-second rule: a slow action answers ``success`` at once; the worker computes its answer
and sends it as a customer-service message, once, inside the customer-service window."""

import time

import pytest
from django.utils import timezone

from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.wechat import handlers
from carebridge.wechat.models import AutoReply, Follower
from carebridge.wechat.models.routing import MatchType, ReplyType, Trigger
from carebridge.wechat.router import SLOW_REPLY_TOPIC

from .callback_helper import WeChatCallbacks

ALICE = "o_alice_0000000000000000000"
CALLS: list[str] = []


@handlers.action("test_report_lookup", slow=True)
def report_lookup(ctx):
    """Stands for a lookup in the hospital's systems that may take longer than 5 seconds."""
    CALLS.append(ctx.query)
    if ctx.query == "故障":
        raise ConnectionError("HIS timed out")
    if ctx.query == "无":
        return None
    if ctx.query == "图文":
        return [
            {"title": "血常规报告", "url": "https://example.cn/r/1"},
            {"title": "第二份", "url": "https://example.cn/r/2"},
        ]
    return f"{ctx.follower.openid[-4:]}：您的“{ctx.query}”报告已出，请到H5查看。"


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


@pytest.fixture
def wx(client, account, settings):
    return WeChatCallbacks(client, account, settings)


@pytest.fixture
def slow_rule(account):
    return AutoReply.objects.create(
        account=account,
        trigger=Trigger.KEYWORD,
        match_type=MatchType.CONTAINS,
        pattern="查报告",
        reply_type=ReplyType.ACTION,
        action="test_report_lookup",
    )


def slow_rows():
    return OutboxMessage.objects.filter(topic=SLOW_REPLY_TOPIC)


def custom_rows():
    return OutboxMessage.objects.filter(topic="wechat.custom")


def run_slow_replies() -> None:
    """Run only the slow-reply rows (the customer-service send is engineer A's and needs the
    API; its own tests cover it)."""
    for row in slow_rows().filter(status=OutboxStatus.PENDING):
        if worker.claim(row, "test-worker"):
            worker.process(row)


@pytest.mark.django_db
def test_a_slow_action_answers_success_at_once_and_queues_its_work(wx, slow_rule):
    wx.check_callback("text__keyword", Content="查报告 血常规", expect_reply={})
    assert CALLS == []  # nothing slow ran inside the callback
    row = slow_rows().get()
    assert row.payload["action"] == "test_report_lookup"
    assert row.payload["query"] == "血常规"
    assert row.payload["message"]["FromUserName"] == ALICE


@pytest.mark.django_db
def test_the_worker_sends_the_answer_as_a_customer_service_message(wx, slow_rule):
    wx.check_callback("text__keyword", Content="查报告 血常规")
    run_slow_replies()
    assert CALLS == ["血常规"]
    assert slow_rows().get().status == OutboxStatus.SENT
    custom = custom_rows().get()
    assert custom.payload["openid"] == ALICE
    assert custom.payload["message"] == {
        "msgtype": "text",
        "text": {"content": "0000：您的“血常规”报告已出，请到H5查看。"},
    }


@pytest.mark.django_db
def test_articles_are_sent_as_one_news_article(wx, slow_rule):
    wx.check_callback("text__keyword", Content="查报告 图文")
    run_slow_replies()
    body = custom_rows().get().payload["message"]
    assert body["msgtype"] == "news"
    assert [a["title"] for a in body["news"]["articles"]] == ["血常规报告"]


@pytest.mark.django_db
def test_a_retried_message_queues_its_slow_action_once(wx, slow_rule):
    sent = int(time.time())
    for _ in range(3):
        wx.check_callback("text__keyword", Content="查报告 血常规", CreateTime=sent)
    assert slow_rows().count() == 1


@pytest.mark.django_db
def test_a_slow_answer_is_sent_once_even_if_the_worker_dies_after_queuing_it(
    wx, slow_rule, settings
):
    from carebridge.wechat.slow_replies import deliver_slow_reply

    wx.check_callback("text__keyword", Content="查报告 血常规")
    row = slow_rows().get()
    assert worker.claim(row, "doomed-worker")
    row.refresh_from_db()
    deliver_slow_reply(row)  # …and the worker dies before recording the outcome
    settings.OUTBOX_LEASE_SECONDS = 0  # its claim has expired: another worker may look
    assert not worker.claimable().filter(topic=SLOW_REPLY_TOPIC).exists()
    run_slow_replies()
    assert CALLS == ["血常规"]
    assert custom_rows().count() == 1


@pytest.mark.django_db
def test_an_answer_for_a_user_who_has_left_is_given_up_with_a_clear_error(wx, slow_rule):
    wx.check_callback("text__keyword", Content="查报告 血常规")
    Follower.objects.filter(openid=ALICE).update(subscribed=False)
    run_slow_replies()
    row = slow_rows().get()
    assert row.status == OutboxStatus.FAILED
    assert "未关注" in row.last_error
    assert not custom_rows().exists()


@pytest.mark.django_db
def test_a_failing_lookup_is_retried_later(wx, slow_rule):
    wx.check_callback("text__keyword", Content="查报告 故障")
    run_slow_replies()
    row = slow_rows().get()
    assert row.status == OutboxStatus.PENDING
    assert "HIS timed out" in row.last_error
    assert row.available_at > row.created_at
    assert not custom_rows().exists()


@pytest.mark.django_db
def test_a_lookup_with_nothing_to_say_sends_nothing(wx, slow_rule):
    wx.check_callback("text__keyword", Content="查报告 无")
    run_slow_replies()
    assert slow_rows().get().status == OutboxStatus.SENT
    assert not custom_rows().exists()


@pytest.mark.django_db
def test_a_queued_action_that_was_unregistered_is_given_up(wx, slow_rule):
    wx.check_callback("text__keyword", Content="查报告 血常规")
    row = slow_rows().get()
    row.payload["action"] = "retired_action"
    row.save(update_fields=["payload"])
    run_slow_replies()
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert "retired_action" in row.last_error


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_answer_reaches_the_phone_through_the_sandbox(sandbox, client, account, settings):
    from carebridge.sandbox.models import SandboxMessage, SandboxUser

    wx = WeChatCallbacks(client, account, settings)
    creds = wx.use_mode("safe")
    AutoReply.objects.create(
        account=account,
        trigger=Trigger.KEYWORD,
        match_type=MatchType.CONTAINS,
        pattern="查报告",
        reply_type=ReplyType.ACTION,
        action="test_report_lookup",
    )
    # The phone: alice follows and writes; WeChat's side records it and opens her window.
    SandboxUser.objects.create(app_id=creds.app_id, openid=ALICE, nickname="Alice", subscribed=True)
    body = wx.body("text__keyword", Content="查报告 血常规")
    SandboxMessage.objects.create(
        app_id=creds.app_id,
        openid=ALICE,
        direction="out",
        kind="user",
        body={"MsgType": "text", "Content": "查报告 血常规"},
    )
    response, _, _ = wx.post(body)
    assert response.content == b"success"

    deadline = time.monotonic() + 20
    arrived = SandboxMessage.objects.none()
    while time.monotonic() < deadline:
        worker.run_once()
        arrived = SandboxMessage.objects.filter(openid=ALICE, direction="in", kind="custom")
        if arrived.exists():
            break
    assert [m.body for m in arrived] == [
        {"msgtype": "text", "text": {"content": "0000：您的“血常规”报告已出，请到H5查看。"}}
    ]
    assert custom_rows().get().status == OutboxStatus.SENT


@pytest.mark.django_db
def test_a_lookup_that_keeps_failing_is_given_up_within_the_hour(wx, slow_rule, clock):
    wx.check_callback("text__keyword", Content="查报告 故障")
    run_slow_replies()
    clock.advance(hours=1)
    OutboxMessage.objects.filter(topic=SLOW_REPLY_TOPIC).update(available_at=timezone.now())
    run_slow_replies()
    row = slow_rows().get()
    assert row.status == OutboxStatus.FAILED and row.alert
    assert row.last_error.startswith("重试 1 小时后仍未发出：")
    assert not custom_rows().exists()
