"""WeChat retries a callback it got no answer to: each message is handled once and every try
gets the same reply, even when the tries arrive together (on SQLite and PostgreSQL alike)."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest
from django.core.signals import request_started

from carebridge.outbox import worker
from carebridge.outbox.actions import enqueue
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat import callback, handlers
from carebridge.wechat.credentials import sandbox_credentials
from carebridge.wechat.models import AutoReply, CallbackReceipt, CsGrant, Follower, QrScene
from carebridge.wechat.models.routing import ReplyType, Trigger

from .callback_helper import WeChatCallbacks

ALICE = "o_alice_0000000000000000000"
TRIES = 3


class Arrivals:
    """Counts requests the live server has started, so the first try can hold its transaction
    open until the retries are in flight (polling with a deadline, never a bare sleep)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, **kwargs):
        with self.lock:
            self.count += 1

    def wait_for(self, n: int, timeout: float = 3.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count < n and time.monotonic() < deadline:
            time.sleep(0.005)


ARRIVALS = Arrivals()


@handlers.action("test_dedup_side_effect")
def side_effect(ctx):
    ARRIVALS.wait_for(TRIES)
    enqueue("test.dedup", {"openid": ctx.message.openid})
    return f"您的排队号：{uuid.uuid4().hex[:8]}"  # differs on every handling


@pytest.fixture
def arrivals():
    ARRIVALS.count = 0
    request_started.connect(ARRIVALS)
    yield ARRIVALS
    request_started.disconnect(ARRIVALS)


def post_together(url: str, params: dict, body: bytes) -> list[httpx.Response]:
    start = threading.Barrier(TRIES)

    def one(_):
        start.wait()
        with httpx.Client(trust_env=False, timeout=20) as http:
            return http.post(f"{url}?{urlencode(params)}", content=body)

    with ThreadPoolExecutor(TRIES) as pool:
        return list(pool.map(one, range(TRIES)))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["safe", "plaintext"])
def test_three_concurrent_tries_of_a_message_are_handled_once_with_one_reply(
    live_server, account, settings, arrivals, mode
):
    creds = sandbox_credentials(account.slug, mode=mode)
    settings.WECHAT_CREDENTIALS = {**settings.WECHAT_CREDENTIALS, account.slug: creds}
    AutoReply.objects.create(
        account=account,
        trigger=Trigger.KEYWORD,
        pattern="排队",
        reply_type=ReplyType.ACTION,
        action="test_dedup_side_effect",
    )
    body_xml = (
        WeChatCallbacks(None, account, settings)
        .body("text__keyword", Content="排队")
        .replace("24300000000000001", str(int(time.time() * 1000)))
    )
    # WeChat signs each try anew; a try is the same message, not the same request.
    params, body = callback.sign_request(creds, body_xml, encrypted=mode == "safe")

    responses = post_together(f"{live_server.url}/wechat/{account.slug}/", params, body)

    assert [r.status_code for r in responses] == [200] * TRIES
    replies = [callback.open_reply(creds, r.text) for r in responses]
    assert replies[0]["Content"].startswith("您的排队号：")
    assert replies == [replies[0]] * TRIES
    assert CallbackReceipt.objects.count() == 1
    assert OutboxMessage.objects.filter(topic="test.dedup").count() == 1
    assert Follower.objects.count() == 1
    assert CsGrant.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_three_concurrent_tries_of_a_keyword_message_leave_one_receipt_and_one_reply(
    live_server, account, settings
):
    """The one-insert path: the tries race on the receipt's unique key, not on a transaction."""
    creds = sandbox_credentials(account.slug, mode="safe")
    settings.WECHAT_CREDENTIALS = {**settings.WECHAT_CREDENTIALS, account.slug: creds}
    AutoReply.objects.create(account=account, trigger=Trigger.KEYWORD, pattern="挂号", text="ok")
    body_xml = (
        WeChatCallbacks(None, account, settings)
        .body("text__keyword")
        .replace("24300000000000001", str(int(time.time() * 1000)))
    )
    params, body = callback.sign_request(creds, body_xml, encrypted=True)

    responses = post_together(f"{live_server.url}/wechat/{account.slug}/", params, body)

    assert [r.status_code for r in responses] == [200] * TRIES
    replies = [callback.open_reply(creds, r.text) for r in responses]
    assert [reply["Content"] for reply in replies] == ["ok"] * TRIES
    assert CallbackReceipt.objects.get().pending
    worker.sweep_once()
    assert Follower.objects.count() == 1
    assert CsGrant.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_three_concurrent_tries_of_a_qr_follow_count_the_scene_once(
    live_server, account, settings, arrivals
):
    creds = sandbox_credentials(account.slug, mode="safe")
    settings.WECHAT_CREDENTIALS = {**settings.WECHAT_CREDENTIALS, account.slug: creds}
    hall = QrScene.objects.create(account=account, label="门诊大厅", scene_str="outpatient_hall")
    AutoReply.objects.create(
        account=account,
        trigger=Trigger.SUBSCRIBE,
        pattern="outpatient_hall",
        reply_type=ReplyType.ACTION,
        action="test_dedup_side_effect",
    )
    body_xml = WeChatCallbacks(None, account, settings).body("event__subscribe_scene")
    params, body = callback.sign_request(creds, body_xml, encrypted=True)

    responses = post_together(f"{live_server.url}/wechat/{account.slug}/", params, body)

    replies = [callback.open_reply(creds, r.text) for r in responses]
    assert replies == [replies[0]] * TRIES and replies[0]["Content"]
    hall.refresh_from_db()
    assert hall.subscribe_count == 1
    assert CallbackReceipt.objects.count() == 1
    assert OutboxMessage.objects.filter(topic="test.dedup").count() == 1


@pytest.mark.django_db
def test_a_retried_event_gets_the_first_reply_and_changes_nothing_more(client, account, settings):
    wx = WeChatCallbacks(client, account, settings)
    hall = QrScene.objects.create(account=account, label="门诊大厅", scene_str="outpatient_hall")
    AutoReply.objects.create(account=account, trigger=Trigger.SUBSCRIBE, text="欢迎")
    sent = int(time.time())
    first = wx.check_callback("event__subscribe_scene", CreateTime=sent)
    retry = wx.check_callback("event__subscribe_scene", CreateTime=sent)
    assert first == retry and first["Content"] == "欢迎"
    hall.refresh_from_db()
    assert hall.subscribe_count == 1
    assert CallbackReceipt.objects.get().reply  # the reply is kept for the retries


@pytest.mark.django_db
def test_two_events_in_one_second_are_both_handled(client, account, settings):
    wx = WeChatCallbacks(client, account, settings)
    sent = int(time.time())
    wx.check_callback("event__click", CreateTime=sent)
    wx.check_callback("event__click", CreateTime=sent, EventKey="OTHER_KEY")
    assert CallbackReceipt.objects.count() == 2


@pytest.mark.django_db
def test_a_crash_while_handling_leaves_nothing_so_the_retry_starts_afresh(
    client, account, settings, monkeypatch
):
    from carebridge.wechat.actions import callbacks

    wx = WeChatCallbacks(client, account, settings)
    AutoReply.objects.create(account=account, trigger=Trigger.SUBSCRIBE, text="欢迎")
    sent = int(time.time())

    def crash(account, message):
        Follower.objects.create(account=account, openid=message.openid)
        raise RuntimeError("database went away")

    monkeypatch.setattr(callbacks, "record", crash)
    with pytest.raises(RuntimeError):
        wx.check_callback("event__subscribe", CreateTime=sent)
    assert not CallbackReceipt.objects.exists()
    assert not Follower.objects.exists()
    monkeypatch.undo()
    wx.check_callback("event__subscribe", CreateTime=sent, expect_reply={"Content": "欢迎"})
    assert CallbackReceipt.objects.count() == 1
    assert Follower.objects.get().subscribed
