"""An order is marked paid once, by WeChat Pay's word, and only for its own merchant and amount."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from carebridge.billing.actions.orders import (
    Payment,
    PaymentMismatch,
    mark_closed,
    open_order,
    record_payment,
)
from carebridge.billing.kinds import ON_CLOSED, ON_PAID
from carebridge.billing.models import Order, OrderKind, OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(merchant, alice, alice_self):
    return open_order(
        institution=merchant.institution,
        patient=alice_self,
        follower=alice,
        kind=OrderKind.DEPOSIT,
        description="预交金充值",
        total=20000,
    )


@pytest.fixture
def calls(monkeypatch):
    seen = []
    monkeypatch.setitem(ON_PAID, OrderKind.DEPOSIT, lambda o: seen.append(("paid", o.pk)))
    monkeypatch.setitem(ON_CLOSED, OrderKind.DEPOSIT, lambda o: seen.append(("closed", o.pk)))
    return seen


def payment(order, **changes) -> Payment:
    fields = {
        "out_trade_no": order.out_trade_no,
        "mchid": order.institution.merchant.mchid,
        "appid": order.institution.merchant.appid,
        "total": order.total,
        "transaction_id": "4200000000202612030000000001",
        "payer_openid": "o_alice",
        "success_time": datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
    }
    return Payment(**{**fields, **changes})


def test_a_payment_marks_its_order_paid_once(order, calls):
    assert record_payment(payment(order)).status == OrderStatus.PAID
    assert record_payment(payment(order)) is None  # the replay changes nothing
    order.refresh_from_db()
    assert not order.follow_up_due  # a deposit's on_paid ran at once
    assert (order.paid_wxpay, order.transaction_id) == (20000, "4200000000202612030000000001")
    assert calls == [("paid", order.pk)]


@pytest.mark.parametrize(
    "changes",
    [{"total": 1}, {"mchid": "1900000000"}, {"appid": "wx_other"}, {"out_trade_no": "CB_NOPE_1"}],
    ids=["amount", "merchant", "appid", "order"],
)
def test_a_payment_that_is_not_the_orders_changes_nothing(order, calls, changes):
    with pytest.raises(PaymentMismatch):
        record_payment(payment(order, **changes))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING
    assert calls == []


def test_a_payment_racing_the_close_is_still_recorded(order, calls):
    assert mark_closed(order)
    assert not mark_closed(order)
    assert record_payment(payment(order)).status == OrderStatus.PAID
    assert calls == [("closed", order.pk), ("paid", order.pk)]


def test_from_transaction_refuses_an_unpaid_or_odd_transaction():
    base = {
        "trade_state": "SUCCESS",
        "out_trade_no": "CB1",
        "mchid": "1",
        "appid": "wx",
        "transaction_id": "42",
        "amount": {"total": 100},
        "success_time": "2026-12-03T10:00:00+08:00",
    }
    assert Payment.from_transaction(base).total == 100
    for bad in ({"trade_state": "NOTPAY"}, {"amount": {"total": "100"}}, {"amount": {"total": 0}}):
        with pytest.raises((KeyError, ValueError, TypeError)):
            Payment.from_transaction({**base, **bad})
    with pytest.raises(KeyError):
        Payment.from_transaction({k: v for k, v in base.items() if k != "transaction_id"})


@pytest.mark.django_db(transaction=True)
def test_two_processes_applying_one_payment_apply_it_once(order, calls):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    results, barrier = [], threading.Barrier(4)

    def apply():
        barrier.wait()
        try:
            results.append(record_payment(payment(order)))
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert calls == [("paid", order.pk)]
