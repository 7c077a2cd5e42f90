"""Paying bills: an OUTPATIENT order holds them (never two orders one bill), its close gives
them back, its payment settles them once and queues the HIS write-back; paid from the deposit,
at once and whole or not at all."""

from datetime import UTC, datetime

import pytest

from carebridge.billing.actions import seams
from carebridge.billing.actions.bills import pay_bills
from carebridge.billing.actions.deposits import top_up_at_window
from carebridge.billing.actions.orders import Payment, mark_closed, record_payment
from carebridge.billing.errors import (
    BillsUnavailable,
    InsufficientDeposit,
    NoBills,
    PatientNotFound,
)
from carebridge.billing.his import TOPIC
from carebridge.billing.models import (
    Bill,
    BillState,
    DepositAccount,
    Order,
    OrderKind,
    OrderStatus,
    Refund,
)
from carebridge.outbox.models import OutboxMessage

from .bill_helpers import make_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def refunds(monkeypatch):
    """pay-core's request_refund, stubbed: a Refund row as it would write one."""
    made = []

    def stub(order, amount, reason, by=None):
        refund = Refund.objects.create(order=order, amount=amount, reason=reason, requested_by=by)
        made.append(refund)
        return refund

    monkeypatch.setattr(seams, "request_refund", stub)
    return made


def paid_by_wechat(order, merchant):
    return record_payment(
        Payment(
            out_trade_no=order.out_trade_no,
            mchid=merchant.mchid,
            appid=merchant.appid,
            total=order.total,
            transaction_id="4200000000202612030000000009",
            payer_openid="o_alice",
            success_time=datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
        )
    )


def test_one_order_holds_several_bills(alice, alice_self):
    first, second = make_bill(alice_self, "MZ1"), make_bill(alice_self, "MZ2")
    order = pay_bills(alice_self, alice, [first, second])
    assert (order.kind, order.total, order.status) == (OrderKind.OUTPATIENT, 9000, "pending")
    assert set(Bill.objects.values_list("state", "order")) == {(BillState.PAYING, order.pk)}


def test_two_orders_never_hold_one_bill(alice, alice_self):
    bill = make_bill(alice_self)
    pay_bills(alice_self, alice, [bill])
    with pytest.raises(BillsUnavailable):
        pay_bills(alice_self, alice, [Bill.objects.get(pk=bill.pk)])
    # Even with a stale copy that still says "unpaid": the conditional update refuses it.
    with pytest.raises(BillsUnavailable):
        pay_bills(alice_self, alice, [bill])
    assert Order.objects.count() == 1


def test_a_bill_changed_since_it_was_read_is_not_taken(alice, alice_self):
    stale = make_bill(alice_self)
    make_bill(alice_self, department="外科")  # the HIS replaced it meanwhile
    with pytest.raises(BillsUnavailable):
        pay_bills(alice_self, alice, [stale])
    assert Order.objects.count() == 0
    assert Bill.objects.get().state == BillState.UNPAID


def test_another_patients_bill_or_none_is_refused(alice, bob, alice_self, alice_mother):
    with pytest.raises(NoBills):
        pay_bills(alice_self, alice, [])
    with pytest.raises(BillsUnavailable):
        pay_bills(alice_self, alice, [make_bill(alice_mother)])
    with pytest.raises(PatientNotFound):  # bob paying for alice's patient
        pay_bills(alice_self, bob, [make_bill(alice_self, "MZ-A")])
    assert Order.objects.count() == 0


def test_a_closed_order_gives_its_bills_back(alice, alice_self):
    bill = make_bill(alice_self)
    order = pay_bills(alice_self, alice, [bill])
    assert mark_closed(order)
    bill.refresh_from_db()
    assert (bill.state, bill.order) == (BillState.UNPAID, None)
    again = pay_bills(alice_self, alice, [bill])
    assert again.pk != order.pk


def test_a_payment_settles_the_bills_once_and_tells_the_his(merchant, alice, alice_self):
    first, second = make_bill(alice_self, "MZ1"), make_bill(alice_self, "MZ2")
    order = pay_bills(alice_self, alice, [first, second])
    assert paid_by_wechat(order, merchant) is not None
    assert paid_by_wechat(order, merchant) is None  # the replay changes nothing
    bills = list(Bill.objects.order_by("pk"))
    assert [(b.state, b.paid_wxpay, b.paid_deposit) for b in bills] == [
        (BillState.PAID, 4500, 0),
        (BillState.PAID, 4500, 0),
    ]
    [event] = OutboxMessage.objects.filter(topic=TOPIC)
    assert event.payload["event"] == "bills.paid"
    assert [b["identifier"] for b in event.payload["bills"]] == ["MZ1", "MZ2"]


def test_a_payment_after_the_close_takes_the_bill_if_still_unpaid(merchant, alice, alice_self):
    bill = make_bill(alice_self)
    order = pay_bills(alice_self, alice, [bill])
    mark_closed(order)
    paid_by_wechat(order, merchant)
    bill.refresh_from_db()
    assert (bill.state, bill.order_id) == (BillState.PAID, order.pk)


def test_a_bill_paid_twice_is_refunded_at_once(merchant, alice, alice_self, refunds):
    bill = make_bill(alice_self)
    late = pay_bills(alice_self, alice, [bill])
    mark_closed(late)
    top_up_at_window(bill.institution, alice_self, 4500, "cash", "R1", reason="t")
    first = pay_bills(alice_self, alice, [Bill.objects.get()], from_deposit=True)
    paid_by_wechat(late, merchant)  # the closed order was paid at WeChat Pay after all
    bill.refresh_from_db()
    assert (bill.state, bill.order_id, bill.paid_deposit) == (BillState.PAID, first.pk, 4500)
    assert [(r.order_id, r.amount) for r in refunds] == [(late.pk, 4500)]


def test_paying_from_the_deposit_is_at_once_and_whole(alice, alice_self):
    bill = make_bill(alice_self)
    top_up_at_window(bill.institution, alice_self, 5000, "cash", "R1", reason="t")
    order = pay_bills(alice_self, alice, [bill], from_deposit=True)
    assert (order.status, order.paid_deposit, order.paid_wxpay) == (OrderStatus.PAID, 4500, 0)
    bill.refresh_from_db()
    assert (bill.state, bill.paid_deposit) == (BillState.PAID, 4500)
    account = DepositAccount.objects.get()
    assert account.balance == 500
    spend = account.movements.get(kind="spend")
    assert (spend.amount, spend.balance_after, spend.order, spend.by_follower) == (
        -4500,
        500,
        order,
        alice,
    )


def test_a_deposit_that_does_not_cover_the_bills_pays_nothing(alice, alice_self):
    bill = make_bill(alice_self)
    top_up_at_window(bill.institution, alice_self, 4499, "cash", "R1", reason="t")
    with pytest.raises(InsufficientDeposit):
        pay_bills(alice_self, alice, [bill], from_deposit=True)
    assert Order.objects.count() == 0
    assert Bill.objects.get().state == BillState.UNPAID
    assert DepositAccount.objects.get().balance == 4499
