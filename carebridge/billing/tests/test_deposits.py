"""The deposit ledger: top-ups online and at the window, spends, refunds each part to its
channel; the balance is never negative, never created from nothing, and every movement has a
reason, an actor and its running balance."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from carebridge.billing.actions import seams
from carebridge.billing.actions.deposits import (
    _move,
    account_for,
    open_online_topup,
    refund_balance,
    top_up_at_window,
)
from carebridge.billing.actions.orders import Payment, record_payment
from carebridge.billing.errors import (
    AmountOutOfRange,
    InsufficientDeposit,
    NothingToRefund,
    ReceiptConflict,
    ReceiptRequired,
)
from carebridge.billing.models import (
    BillingPolicy,
    DepositAccount,
    DepositMovement,
    MovementKind,
    Refund,
)

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


def pay(order, merchant, n=1):
    return record_payment(
        Payment(
            out_trade_no=order.out_trade_no,
            mchid=merchant.mchid,
            appid=merchant.appid,
            total=order.total,
            transaction_id=f"42000000002026120300000000{n:02d}",
            payer_openid="o_alice",
            success_time=datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
        )
    )


def topped_up_online(merchant, alice, patient, amount, n=1):
    order = open_online_topup(patient, alice, amount)
    pay(order, merchant, n)
    return order


def ledger_adds_up(account) -> bool:
    account.refresh_from_db()
    movements = list(account.movements.order_by("id"))
    running = 0
    for m in movements:
        running += m.amount
        if m.balance_after != running or not m.reason:
            return False
    return running == account.balance


def test_an_online_top_up_is_credited_once_by_its_payment(merchant, alice, alice_self):
    order = open_online_topup(alice_self, alice, 20000)
    assert DepositAccount.objects.count() == 0  # an unpaid order credits nothing
    pay(order, merchant)
    pay(order, merchant)  # the notification again
    account = DepositAccount.objects.get()
    [credit] = account.movements.all()
    assert (credit.kind, credit.amount, credit.balance_after) == ("topup_online", 20000, 20000)
    assert (credit.order, credit.by_follower, credit.actor) == (order, alice, "本人(微信)")
    assert ledger_adds_up(account)


def test_the_online_amount_is_within_the_institutions_limits(alice, alice_self, hospital):
    for fen in (99, 5_000_001):
        with pytest.raises(AmountOutOfRange):
            open_online_topup(alice_self, alice, fen)
    BillingPolicy.objects.create(institution=hospital, topup_min=10000, topup_max=20000)
    hospital.refresh_from_db()
    with pytest.raises(AmountOutOfRange, match="100.00 元至 200.00 元"):
        open_online_topup(alice_self, alice, 9999)
    assert open_online_topup(alice_self, alice, 20000).total == 20000


def test_a_window_top_up_needs_a_receipt_and_counts_it_once(hospital, alice_self, cashier):
    movement, created = top_up_at_window(hospital, alice_self, 30000, "cash", "SJ001", by=cashier)
    assert created and (movement.kind, movement.by_user, movement.receipt_no) == (
        MovementKind.TOPUP_CASH,
        cashier,
        "SJ001",
    )
    again, created = top_up_at_window(hospital, alice_self, 30000, "cash", "SJ001", by=cashier)
    assert (again, created) == (movement, False)
    for other in [(30001, "cash"), (30000, "card")]:
        with pytest.raises(ReceiptConflict):
            top_up_at_window(hospital, alice_self, *other, "SJ001", by=cashier)
    assert DepositAccount.objects.get().balance == 30000


def test_the_same_receipt_for_another_patient_is_refused(hospital, alice_self, alice_mother):
    top_up_at_window(hospital, alice_self, 30000, "cash", "SJ001")
    with pytest.raises(ReceiptConflict):
        top_up_at_window(hospital, alice_mother, 30000, "cash", "SJ001")
    assert DepositAccount.objects.count() == 1  # the refused call opened no account


def test_the_balance_is_never_negative(hospital, alice_self):
    top_up_at_window(hospital, alice_self, 100, "cash", "SJ001")
    account = DepositAccount.objects.get()
    with pytest.raises(InsufficientDeposit):
        _move(account, -101, MovementKind.SPEND, "too much")
    with pytest.raises(IntegrityError), transaction.atomic():
        DepositAccount.objects.filter(pk=account.pk).update(balance=-1)
    assert DepositAccount.objects.get().balance == 100


def test_no_credit_comes_from_nothing(hospital, alice_self):
    account = account_for(hospital, alice_self)
    kinds = [
        {"kind": MovementKind.TOPUP_ONLINE, "amount": 100},  # no paid order
        {"kind": MovementKind.TOPUP_CASH, "amount": 100},  # no receipt
        {"kind": MovementKind.SPEND, "amount": 100},  # a spend that credits
        {"kind": MovementKind.TOPUP_CASH, "amount": -100, "receipt_no": "X"},
    ]
    for fields in kinds:
        with pytest.raises(IntegrityError), transaction.atomic():
            DepositMovement.objects.create(
                account=account, institution=hospital, balance_after=100, reason="x", **fields
            )


def test_a_refund_sends_each_part_back_to_its_channel(
    merchant, hospital, alice, alice_self, cashier, refunds
):
    first = topped_up_online(merchant, alice, alice_self, 10000, 1)
    top_up_at_window(hospital, alice_self, 5000, "cash", "SJ001", by=cashier)
    second = topped_up_online(merchant, alice, alice_self, 8000, 2)
    account = DepositAccount.objects.get()
    # 12000 spent: the oldest credits first, all of the first top-up and 2000 of the cash.
    _move(account, -12000, MovementKind.SPEND, "门诊缴费")
    assert [(c.kind, fen) for c, fen in account.refundable_parts()] == [
        ("topup_cash", 3000),
        ("topup_online", 8000),
    ]
    with pytest.raises(ReceiptRequired):
        refund_balance(account, reason="出院结算", by=cashier)
    outcome = refund_balance(account, reason="出院结算", by=cashier, receipt_no="TK001")
    assert (outcome.online, outcome.window, outcome.waiting) == (8000, 3000, 0)
    assert [(r.order, r.amount) for r in refunds] == [(second, 8000)]
    assert first.refunds.count() == 0
    account.refresh_from_db()
    assert account.balance == 0 and ledger_adds_up(account)
    cash = account.movements.get(kind=MovementKind.REFUND_CASH)
    assert (cash.amount, cash.receipt_no, cash.by_user, cash.reason) == (
        -3000,
        "TK001",
        cashier,
        "出院结算",
    )
    with pytest.raises(NothingToRefund):
        refund_balance(account, reason="again", by=cashier, receipt_no="TK002")


def test_a_patients_request_never_sends_cash_to_wechat(
    merchant, hospital, alice, alice_self, refunds
):
    order = topped_up_online(merchant, alice, alice_self, 10000)
    top_up_at_window(hospital, alice_self, 5000, "cash", "SJ001")
    account = DepositAccount.objects.get()
    outcome = refund_balance(account, reason="不再需要", follower=alice)
    assert (outcome.online, outcome.window, outcome.waiting) == (10000, 0, 5000)
    assert [(r.order, r.amount) for r in refunds] == [(order, 10000)]
    account.refresh_from_db()
    assert account.balance == 5000 and account.refund_requested_at is not None
    online = account.movements.get(kind=MovementKind.REFUND_ONLINE)
    assert (online.by_follower, online.refund) == (alice, refunds[0])
    assert ledger_adds_up(account)


def test_a_window_qr_payment_credits_the_deposit_in_the_cashiers_name(
    merchant, alice_self, cashier, monkeypatch
):
    from carebridge.billing.actions.deposits import start_window_qr
    from carebridge.billing.wxpay import WxPayClient

    monkeypatch.setattr(
        WxPayClient,
        "native_prepay",
        lambda self, **kw: "weixin://wxpay/bizpayurl?pr=x",
        raising=False,
    )
    account = account_for(merchant.institution, alice_self)
    window = start_window_qr(account, 30000, cashier)
    assert window.code_url == "weixin://wxpay/bizpayurl?pr=x" and window.order.follower is None
    pay(window.order, merchant)
    [credit] = account.movements.all()
    assert (credit.kind, credit.amount, credit.by_user, credit.by_follower) == (
        MovementKind.TOPUP_ONLINE,
        30000,
        cashier,
        None,
    )


def test_a_refund_wechat_pay_closed_comes_back_to_the_balance_once(
    merchant, alice, alice_self, refunds
):
    from carebridge.billing.actions.deposits import return_closed_refunds
    from carebridge.billing.models import RefundStatus

    order = topped_up_online(merchant, alice, alice_self, 10000)
    account = DepositAccount.objects.get()
    refund_balance(account, reason="不再需要", follower=alice)
    assert return_closed_refunds(10) == 0  # still on its way
    Refund.objects.update(status=RefundStatus.CLOSED)
    assert return_closed_refunds(10) == 1
    assert return_closed_refunds(10) == 0
    account.refresh_from_db()
    assert account.balance == 10000 and ledger_adds_up(account)
    back = account.movements.get(kind=MovementKind.REFUND_RETURNED)
    assert (back.amount, back.refund, back.order) == (10000, refunds[0], order)
    assert [(c.order, fen) for c, fen in account.refundable_parts()] == [(order, 10000)]
