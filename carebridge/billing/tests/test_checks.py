"""Orders and refunds whose notification has not come are asked about at WeChat Pay (the
sandbox, on loopback) on a backoff, and orders closed there at their deadline. Time moves on
the fake clock."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.billing.actions.checks import _take, check_due_orders, check_due_refunds
from carebridge.billing.actions.orders import withdraw_orders
from carebridge.billing.actions.refunds import request_refund
from carebridge.billing.models import Order, OrderStatus, Refund, RefundStatus
from carebridge.sandbox.models import SandboxPayOrder
from carebridge.sandbox.wxpay import transactions as sandbox_pay

from .helpers import placed, refund_resource
from .test_refunds import FakeRefunds

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]


def fresh(order) -> Order:
    return Order.objects.get(pk=order.pk)


def test_an_order_is_first_asked_about_after_five_minutes(order, clock):
    assert fresh(order).next_query_at == order.expires_at - timedelta(minutes=10)
    placed(order)
    clock.advance(minutes=4, seconds=59)
    assert check_due_orders(limit=10) == 0
    clock.advance(seconds=2)
    assert check_due_orders(limit=10) == 1
    order = fresh(order)
    assert order.status == OrderStatus.PENDING and order.query_attempts == 1
    # NOTPAY: asked again after 10 minutes, but never later than the deadline (15 minutes)
    assert order.next_query_at == order.expires_at


def test_the_backoff_doubles_up_to_an_hour(merchant, alice_self, clock):
    from carebridge.billing.actions.orders import open_order

    order = open_order(
        institution=merchant.institution,
        patient=alice_self,
        kind="outpatient",
        description="门诊缴费",
        total=100,
        deadline=timedelta(days=1),
    )
    placed(order)
    pauses = []
    for _ in range(6):
        clock.advance(fresh(order).next_query_at - timezone.now())
        assert check_due_orders(limit=10) == 1
        pauses.append(round((fresh(order).next_query_at - timezone.now()).total_seconds() / 60))
    assert pauses == [10, 20, 40, 60, 60, 60]


def test_a_payment_whose_notification_never_came_is_found_by_the_query(order, clock):
    placed(order)
    paid = sandbox_pay.pay(order.institution.merchant.mchid, order.out_trade_no)
    clock.advance(minutes=5)
    check_due_orders(limit=10)
    order = fresh(order)
    assert order.status == OrderStatus.PAID and order.transaction_id == paid.transaction_id
    assert order.next_query_at is None


def test_at_its_deadline_an_unpaid_order_is_closed_there_then_here(order, clock):
    placed(order)
    clock.advance(minutes=15)
    check_due_orders(limit=10)
    at_wechat = SandboxPayOrder.objects.get(out_trade_no=order.out_trade_no)
    assert at_wechat.trade_state == "CLOSED"
    order = fresh(order)
    assert order.status == OrderStatus.CLOSED and order.closed_at and order.next_query_at is None


def test_an_order_that_never_reached_wechat_pay_is_closed_at_its_deadline(order, clock):
    clock.advance(minutes=5)
    check_due_orders(limit=10)
    assert fresh(order).status == OrderStatus.PENDING  # ORDER_NOT_EXIST: maybe not yet
    clock.advance(minutes=10)
    check_due_orders(limit=10)
    assert fresh(order).status == OrderStatus.CLOSED


def test_paid_as_the_close_comes_the_payment_wins(order, clock):
    placed(order)
    sandbox_pay.pay(order.institution.merchant.mchid, order.out_trade_no)
    clock.advance(minutes=16)
    check_due_orders(limit=10)  # close refused (ORDERPAID); the query says SUCCESS
    assert fresh(order).status == OrderStatus.PAID


def test_a_withdrawn_order_is_closed_on_the_next_pass(order):
    placed(order)
    assert withdraw_orders(Order.objects.filter(pk=order.pk)) == 1
    assert not fresh(order).is_payable
    check_due_orders(limit=10)
    assert fresh(order).status == OrderStatus.CLOSED


def test_wechat_pay_unreachable_changes_nothing_and_asks_again_soon(order, clock, settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.WECHATPAY_API_BASE = f"http://127.0.0.1:{port}/sandbox/pay"
    clock.advance(minutes=16)
    assert check_due_orders(limit=10) == 1
    order = fresh(order)
    assert order.status == OrderStatus.PENDING and order.query_attempts == 0
    assert timedelta(seconds=50) < order.next_query_at - timezone.now() <= timedelta(minutes=1)


def test_two_sweeps_never_take_the_same_order(order, clock):
    clock.advance(minutes=5)
    rows = list(Order.objects.filter(pk=order.pk))
    assert _take(Order, rows, timezone.now()) == rows
    assert _take(Order, rows, timezone.now()) == []  # the row moved on: the claim failed


def test_a_processing_refund_is_asked_about_until_it_ends(order, clock, monkeypatch):
    from carebridge.billing.actions.orders import record_payment

    from .test_record_payment import payment

    fake = FakeRefunds(monkeypatch)
    record_payment(payment(order))
    refund = request_refund(order, 20000, "退款")
    Refund.objects.filter(pk=refund.pk).update(
        status=RefundStatus.PROCESSING, next_query_at=timezone.now() + timedelta(minutes=5)
    )
    fake.answers[refund.out_refund_no] = {
        **refund_resource(refund, "PROCESSING"),
        "status": "PROCESSING",
    }
    clock.advance(minutes=5)
    assert check_due_refunds(limit=10) == 1
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PROCESSING
    answer = refund_resource(refund, "SUCCESS")
    fake.answers[refund.out_refund_no] = {**answer, "status": answer.pop("refund_status")}
    clock.advance(minutes=10)
    assert check_due_refunds(limit=10) == 1
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCESS
    assert fresh(order).status == OrderStatus.REFUNDED
