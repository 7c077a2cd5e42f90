"""Plain messages and menu taps are answered after one insert; what they say about their sender
is applied by the worker's next pass, or at once by whoever needs the window first."""

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.outbox import registry, worker
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.actions import followers_pending
from carebridge.wechat.actions.callbacks import receive_message
from carebridge.wechat.actions.followers_pending import apply_pending
from carebridge.wechat.actions.messaging import send_custom_message
from carebridge.wechat.actions.service_window import window_open
from carebridge.wechat.models import AutoReply, CallbackReceipt, CsGrant, Follower
from carebridge.wechat.models.followers import GrantKind
from carebridge.wechat.models.routing import ReplyType, Trigger
from carebridge.wechat.service_window import WindowClosed

from .callback_helper import WeChatCallbacks
from .outgoing_helpers import wait_until

pytestmark = pytest.mark.django_db

ALICE = "o_alice_0000000000000000000"


@pytest.fixture
def wx(client, account, settings):
    AutoReply.objects.create(account=account, trigger=Trigger.KEYWORD, pattern="挂号", text="ok")
    return WeChatCallbacks(client, account, settings)


def text(n: int, openid: str = ALICE, at: int | None = None, content: str = "挂号") -> dict:
    return {
        "ToUserName": "gh_renai0000001",
        "FromUserName": openid,
        "CreateTime": str(at or int(time.time())),
        "MsgType": "text",
        "Content": content,
        "MsgId": str(9_000_000 + n),
    }


def test_a_keyword_message_is_answered_after_one_write_and_no_transaction(wx, account):
    with CaptureQueriesContext(connection) as queries:
        reply = receive_message(account, text(1))
    assert "ok" in reply
    writes = [q["sql"] for q in queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    receipt = CallbackReceipt.objects.get()
    assert receipt.pending and receipt.reply == reply
    assert not Follower.objects.exists()  # not yet: the worker's pass makes it


def test_the_worker_applies_the_pending_bookkeeping_once(wx, account):
    sent = int(time.time())
    wx.check_callback("text__keyword", CreateTime=sent, expect_reply={"Content": "ok"})
    assert worker.sweep_once() == 1
    follower = Follower.objects.get()
    assert follower.subscribed
    assert follower.last_interaction_at == datetime.fromtimestamp(sent, UTC)
    grant = CsGrant.objects.get()
    assert (grant.kind, grant.opened_at, grant.used) == (
        GrantKind.MESSAGE,
        follower.last_interaction_at,
        0,
    )
    assert not CallbackReceipt.objects.filter(pending=True).exists()
    assert worker.sweep_once() == 0


def test_applying_again_changes_nothing(wx, account):
    receive_message(account, text(1))
    apply_pending()
    before = list(CsGrant.objects.values()), list(Follower.objects.values())
    CallbackReceipt.objects.update(pending=True)  # as if a crash lost the mark, not the writes
    assert apply_pending() == 1
    assert (list(CsGrant.objects.values()), list(Follower.objects.values())) == before


def test_a_batch_keeps_each_senders_newest_interaction(wx, account):
    now = int(time.time())
    for n, (who, at) in enumerate([("o_a", now - 50), ("o_b", now - 40), ("o_a", now - 10),
                                   ("o_a", now - 30), ("o_b", now - 45)]):  # fmt: skip
        receive_message(account, text(n, who, at))
    assert apply_pending() == 5
    last = dict(Follower.objects.values_list("openid", "last_interaction_at"))
    assert last == {
        "o_a": datetime.fromtimestamp(now - 10, UTC),
        "o_b": datetime.fromtimestamp(now - 40, UTC),
    }
    assert CsGrant.objects.count() == 2


def test_a_menu_tap_opens_the_click_window_through_the_worker(wx):
    wx.check_callback("event__click")
    assert CallbackReceipt.objects.get().pending
    worker.sweep_once()
    assert set(CsGrant.objects.values_list("kind", flat=True)) == {GrantKind.CLICK}


def test_a_rule_that_runs_an_action_applies_the_bookkeeping_with_the_reply(wx, account):
    AutoReply.objects.create(
        account=account,
        trigger=Trigger.KEYWORD,
        pattern="医生",
        reply_type=ReplyType.ACTION,
        action="hospital_intro",
    )
    receive_message(account, text(1, content="医生"))
    assert not CallbackReceipt.objects.get().pending
    assert Follower.objects.get().last_interaction_at is not None


def test_a_follow_and_a_message_open_their_windows_through_the_same_code(wx, account, monkeypatch):
    opened = []
    real = followers_pending.reopen_grants
    monkeypatch.setattr(
        followers_pending, "reopen_grants", lambda wanted: opened.append(wanted) or real(wanted)
    )
    wx.check_callback("event__subscribe")  # applied in the callback's transaction
    receive_message(account, text(1))  # applied by the worker's pass
    assert apply_pending() == 1
    kinds = [{kind for by_kind in wanted.values() for kind in by_kind} for wanted in opened]
    assert kinds == [{GrantKind.SUBSCRIBE}, {GrantKind.MESSAGE}]
    assert not CallbackReceipt.objects.filter(pending=True).exists()


def test_an_unfollow_proves_no_subscription_and_opens_no_window(wx, account):
    now = int(time.time())
    wx.check_callback("event__unsubscribe", CreateTime=now)
    follower = Follower.objects.get()
    assert not follower.subscribed and follower.last_interaction_at is None
    assert follower.unsubscribed_at == datetime.fromtimestamp(now, UTC)
    assert not CsGrant.objects.exists()
    assert not CallbackReceipt.objects.get().pending


def test_an_unfollow_after_a_message_not_yet_applied_lands_after_it(wx, account):
    now = int(time.time())
    receive_message(account, text(1, at=now - 5))
    wx.check_callback("event__unsubscribe", CreateTime=now)
    follower = Follower.objects.get()
    assert not follower.subscribed
    assert follower.last_interaction_at == datetime.fromtimestamp(now - 5, UTC)
    assert not CallbackReceipt.objects.filter(pending=True).exists()


def test_a_customer_service_message_right_after_a_first_message_is_allowed(wx, account):
    receive_message(account, text(1))
    # No worker pass yet: sending catches this sender up first.
    send_custom_message(account, ALICE, "您好，请问有什么可以帮您？")
    assert OutboxMessage.objects.filter(topic="wechat.custom").count() == 1
    assert CsGrant.objects.get().used == 1


def test_the_back_offices_window_check_counts_a_message_not_yet_applied(wx, account):
    follower = Follower.objects.create(account=account, openid=ALICE, subscribed=True)
    assert not window_open(follower)
    receive_message(account, text(1))
    assert window_open(follower)  # no worker pass yet


def test_a_stranger_without_messages_is_still_refused(wx, account):
    receive_message(account, text(1))
    with pytest.raises(WindowClosed):
        send_custom_message(account, "o_stranger", "您好")
    assert not OutboxMessage.objects.exists()


# The worker's pass is a transaction of its own, as in production (not nested in the test's).
@pytest.mark.django_db(transaction=True)
def test_a_crash_while_applying_leaves_everything_pending(wx, account, monkeypatch, caplog):
    receive_message(account, text(1))

    def crash(wanted):
        raise RuntimeError("database went away")

    monkeypatch.setattr(followers_pending, "reopen_grants", crash)
    assert worker.sweep_once() == 0
    assert "sweep wechat.pending_receipts failed" in caplog.text
    assert CallbackReceipt.objects.get().pending
    assert not Follower.objects.exists()  # the follower created before the crash rolled back
    monkeypatch.undo()
    assert worker.sweep_once() == 1
    assert CsGrant.objects.count() == 1


def test_the_worker_takes_a_batch_at_a_time(wx, account, monkeypatch):
    name = "wechat.pending_receipts"
    monkeypatch.setitem(registry.SWEEPS, name, (registry.SWEEPS[name][0], 3))
    for n in range(7):
        receive_message(account, text(n, f"o_{n}"))
    done = []
    while n := worker.sweep_once():
        done.append(n)
    assert done == [3, 3, 1]
    assert Follower.objects.count() == 7


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_applying_at_once_reach_the_same_state(account):
    AutoReply.objects.create(account=account, trigger=Trigger.KEYWORD, pattern="挂号", text="ok")
    now = int(time.time())
    senders = [f"o_sender_{n}" for n in range(8)]
    for n in range(120):
        receive_message(account, text(n, senders[n % 8], now - n))
    start = threading.Barrier(2)
    errors = []

    def work():
        try:
            start.wait()
            while apply_pending(limit=7):
                pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert not CallbackReceipt.objects.filter(pending=True).exists()
    last = dict(Follower.objects.values_list("openid", "last_interaction_at"))
    assert last == {s: datetime.fromtimestamp(now - n, UTC) for n, s in enumerate(senders)}
    assert CsGrant.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_the_running_worker_applies_what_arrives(account):
    AutoReply.objects.create(account=account, trigger=Trigger.KEYWORD, pattern="挂号", text="ok")
    stop = threading.Event()

    def run():
        try:
            worker.run_forever(stop.is_set)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        for n in range(3):
            receive_message(account, text(n, f"o_{n}"))
        wait_until(
            lambda: not CallbackReceipt.objects.filter(pending=True).exists(),
            timeout=20,
            what="the worker to apply the receipts",
        )
    finally:
        stop.set()
        thread.join(timeout=20)
    assert Follower.objects.count() == CsGrant.objects.count() == 3
