"""The 48-hour customer-service window and its per-trigger counts, on our side and the sandbox's."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.sandbox.models import SandboxMessage
from carebridge.sandbox.wxapi import tokens as sandbox_tokens
from carebridge.wechat.actions.messaging import send_custom_message
from carebridge.wechat.actions.service_window import consume_grant, open_grant, window_open
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.models import CsGrant
from carebridge.wechat.models.followers import GrantKind
from carebridge.wechat.service_window import WindowClosed

from .outgoing_helpers import ALICE, BOB, CAROL, app_id, follower, phone_does

NOW = timezone.now()


def spend(person, times, at=NOW):
    return [consume_grant(person, at=at).kind for _ in range(times)]


@pytest.mark.django_db
def test_a_message_from_the_user_allows_five_within_48_hours(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.MESSAGE, at=NOW - timedelta(hours=47))
    assert spend(alice, 5) == ["message"] * 5
    with pytest.raises(WindowClosed):
        consume_grant(alice, at=NOW)


@pytest.mark.django_db
def test_the_window_closes_after_48_hours(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.MESSAGE, at=NOW - timedelta(hours=48, seconds=1))
    assert not window_open(alice, at=NOW)
    with pytest.raises(WindowClosed, match="无法发送客服消息"):
        consume_grant(alice, at=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [GrantKind.CLICK, GrantKind.SUBSCRIBE, GrantKind.SCAN])
def test_a_click_follow_or_scan_allows_three_within_a_minute(account, kind):
    alice = follower(account, ALICE)
    open_grant(alice, kind, at=NOW)
    assert spend(alice, 3, at=NOW + timedelta(seconds=59)) == [kind] * 3
    with pytest.raises(WindowClosed):
        consume_grant(alice, at=NOW + timedelta(seconds=59))


@pytest.mark.django_db
def test_a_click_allows_nothing_after_its_minute(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.CLICK, at=NOW)
    with pytest.raises(WindowClosed):
        consume_grant(alice, at=NOW + timedelta(seconds=61))


@pytest.mark.django_db
def test_a_payment_allows_any_number_within_48_hours(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.PAYMENT, at=NOW - timedelta(hours=47))
    assert spend(alice, 50) == ["payment"] * 50
    with pytest.raises(WindowClosed):
        consume_grant(alice, at=NOW + timedelta(hours=1, seconds=1))


@pytest.mark.django_db
def test_nobody_who_never_interacted_can_be_messaged(account):
    bob = follower(account, BOB)
    assert not window_open(bob)
    with pytest.raises(WindowClosed):
        consume_grant(bob)


@pytest.mark.django_db
def test_a_new_message_starts_a_new_allowance(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.MESSAGE, at=NOW - timedelta(hours=1))
    spend(alice, 5)
    open_grant(alice, GrantKind.MESSAGE, at=NOW)
    assert spend(alice, 5) == ["message"] * 5


@pytest.mark.django_db
def test_an_older_interaction_does_not_reset_a_newer_one(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.MESSAGE, at=NOW)
    spend(alice, 5)
    open_grant(alice, GrantKind.MESSAGE, at=NOW - timedelta(minutes=5))  # a late retry
    with pytest.raises(WindowClosed):
        consume_grant(alice)


@pytest.mark.django_db
def test_the_short_allowances_are_spent_before_the_long_one(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.MESSAGE, at=NOW)
    open_grant(alice, GrantKind.CLICK, at=NOW)
    assert spend(alice, 8) == ["click"] * 3 + ["message"] * 5
    with pytest.raises(WindowClosed):
        consume_grant(alice, at=NOW)


@pytest.mark.django_db
def test_an_unknown_kind_is_refused(account):
    alice = follower(account, ALICE)
    with pytest.raises(ValueError):
        open_grant(alice, "dance")
    assert not CsGrant.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_senders_never_spend_the_last_message_twice(account):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.CLICK, at=timezone.now())
    spend(alice, 2, at=timezone.now())
    results, barrier = [], threading.Barrier(2)

    def sender():
        barrier.wait()
        try:
            consume_grant(alice)
            results.append("sent")
        except WindowClosed:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["refused", "sent"]
    assert CsGrant.objects.get(follower=alice).used == 3


@pytest.mark.django_db
def test_custom_messages_outside_the_window_are_refused_before_the_call(account):
    follower(account, ALICE)
    follower(account, CAROL, subscribed=False)
    with pytest.raises(WindowClosed):
        send_custom_message(account, ALICE, "您的报告已出")
    with pytest.raises(WindowClosed, match="未关注"):
        send_custom_message(account, CAROL, "您的报告已出")
    with pytest.raises(WindowClosed, match="未关注"):
        send_custom_message(account, "o_stranger", "您的报告已出")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "message", ["", "   ", {"msgtype": "sms", "sms": {}}, {"msgtype": "text"}, "长" * 700]
)
def test_a_malformed_custom_message_is_refused_and_spends_nothing(account, message):
    alice = follower(account, ALICE)
    open_grant(alice, GrantKind.MESSAGE)
    with pytest.raises(LimitExceeded):
        send_custom_message(account, ALICE, message)
    assert CsGrant.objects.get(follower=alice).used == 0
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_five_replies_reach_the_phone_and_the_sandbox_refuses_a_sixth(sandbox, account):
    alice = follower(account, ALICE)
    phone_does(account, ALICE, {"MsgType": "text", "Content": "报告什么时候出？"})
    open_grant(alice, GrantKind.MESSAGE)
    for n in range(5):
        send_custom_message(account, ALICE, f"第 {n + 1} 条回复")
    with pytest.raises(WindowClosed):
        send_custom_message(account, ALICE, "第 6 条回复")
    while worker.run_once():  # one pass sends one of them: messages to alice keep their order
        pass
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 5
    on_phone = SandboxMessage.objects.filter(openid=ALICE, direction="in", kind="custom")
    assert [m.body["text"]["content"] for m in on_phone.order_by("id")] == [
        f"第 {n} 条回复" for n in range(1, 6)
    ]

    # WeChat itself agrees: a sixth, sent past our check, is refused with 45047.
    token = sandbox_tokens.issue(app_id(account), "stable").value
    from django.test import Client

    answer = (
        Client()
        .post(
            f"/sandbox/wx/cgi-bin/message/custom/send?access_token={token}",
            {"touser": ALICE, "msgtype": "text", "text": {"content": "第 6 条"}},
            content_type="application/json",
        )
        .json()
    )
    assert answer["errcode"] == 45047
