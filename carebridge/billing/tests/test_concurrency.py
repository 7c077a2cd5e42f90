"""Concurrent spends of one deposit and concurrent orders for one bill, on PostgreSQL (SQLite
serialises writers, so the race cannot happen there): the balance never goes below zero, no
bill is held by two orders, and the ledger's running balances still add up."""

import threading

import pytest
from django.db import connection

from carebridge.billing.actions.bills import pay_bills
from carebridge.billing.actions.deposits import top_up_at_window
from carebridge.billing.errors import BillingError
from carebridge.billing.models import Bill, BillState, DepositAccount, Order

from .bill_helpers import make_bill

pytestmark = pytest.mark.django_db(transaction=True)


def race(func, args_list):
    """Run ``func(*args)`` for each args in threads released together; the outcomes in order."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    outcomes = [None] * len(args_list)
    barrier = threading.Barrier(len(args_list))

    def run(n, args):
        barrier.wait()
        try:
            outcomes[n] = func(*args)
        except BillingError as exc:
            outcomes[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, a)) for n, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_spends_never_overdraw_the_deposit(hospital, alice, alice_self):
    bills = [make_bill(alice_self, f"MZ{n}") for n in range(6)]
    top_up_at_window(hospital, alice_self, 10000, "cash", "SJ001")  # covers two bills of 45 元
    outcomes = race(
        lambda bill: pay_bills(alice_self, alice, [bill], from_deposit=True),
        [(b,) for b in bills],
    )
    paid = [o for o in outcomes if isinstance(o, Order)]
    assert len(paid) == 2
    account = DepositAccount.objects.get()
    assert account.balance == 1000
    movements = list(account.movements.order_by("id"))
    assert sorted(m.balance_after for m in movements) == [1000, 5500, 10000]
    assert Bill.objects.filter(state=BillState.PAID).count() == 2
    assert Bill.objects.filter(state=BillState.UNPAID).count() == 4


def test_concurrent_orders_for_one_bill_hold_it_once(alice, alice_self):
    bill = make_bill(alice_self)
    outcomes = race(lambda: pay_bills(alice_self, alice, [bill]), [()] * 5)
    assert sum(isinstance(o, Order) for o in outcomes) == 1
    assert Order.objects.count() == 1
    bill.refresh_from_db()
    assert bill.state == BillState.PAYING and bill.order == Order.objects.get()
