"""The daily reconciliation lists every kind of difference between WeChat Pay's trade bill and
our ledger, changes no money, and keeps what staff resolved when run again."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from carebridge.billing.actions.reconcile import AlreadyResolved, reconcile, resolve_mismatch
from carebridge.billing.models import (
    MismatchKind,
    Order,
    OrderKind,
    OrderStatus,
    Refund,
    RefundStatus,
    Resolution,
    RunStatus,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class BillLine:
    """What the matching reads of a line of the bill (tradebill.BillRow has these and more):
    amounts in fen, ``total`` the order's amount, ``refund`` the refund asked for."""

    out_trade_no: str
    transaction_id: str
    trade_state: str  # SUCCESS for a payment line, REFUND for a refund line
    total: int
    out_refund_no: str = ""
    refund: int = 0
    refund_state: str = ""  # the bill's words: SUCCESS, PROCESSING, FAIL, CHANGE


DAY = date(2026, 12, 2)
NOON = timezone.make_aware(datetime(2026, 12, 2, 12, 0))


@pytest.fixture
def merchant(hospital):
    from carebridge.sandbox.wxpay.merchants import enroll

    return enroll(hospital, appid="wx_renai_0000001")


def paid_order(merchant, patient, total=1500, paid_at=NOON, **fields) -> Order:
    return Order.objects.create(
        institution=merchant.institution,
        patient=patient,
        kind=OrderKind.REGISTRATION,
        description="挂号费",
        total=total,
        expires_at=paid_at,
        status=OrderStatus.PAID,
        paid_wxpay=total,
        paid_at=paid_at,
        transaction_id="42" + "0" * 20 + str(total),
        **fields,
    )


def line(order, total=None, **fields) -> BillLine:
    return BillLine(
        out_trade_no=order.out_trade_no,
        transaction_id=order.transaction_id,
        trade_state=fields.pop("trade_state", "SUCCESS"),
        total=order.total if total is None else total,
        **fields,
    )


def refund(order, amount, status=RefundStatus.SUCCESS, accepted_at=NOON) -> Refund:
    return Refund.objects.create(
        order=order, amount=amount, reason="取消预约", status=status, accepted_at=accepted_at
    )


def refund_line(r: Refund, amount=None, status="SUCCESS") -> BillLine:
    return BillLine(
        out_trade_no=r.order.out_trade_no,
        transaction_id=r.order.transaction_id,
        trade_state="REFUND",
        total=r.order.total,
        out_refund_no=r.out_refund_no,
        refund=r.amount if amount is None else amount,
        refund_state=status,
    )


def kinds(run):
    return sorted((m.kind, m.out_trade_no) for m in run.mismatches.all())


def test_a_bill_that_matches_the_ledger_leaves_nothing_to_do(merchant, alice_self):
    a, b = paid_order(merchant, alice_self), paid_order(merchant, alice_self, total=2000)
    r = refund(b, 500)
    run = reconcile(merchant, DAY, [line(a), line(b), refund_line(r)])
    assert run.status == RunStatus.MATCHED
    assert (run.bill_rows, run.bill_paid_total, run.bill_refund_total) == (3, 3500, 500)
    assert kinds(run) == []


def test_a_payment_at_wechat_that_is_not_paid_here_is_listed(merchant, alice_self):
    order = paid_order(merchant, alice_self)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED, paid_wxpay=0)
    run = reconcile(merchant, DAY, [line(order)])
    assert kinds(run) == [(MismatchKind.MISSING_HERE, order.out_trade_no)]
    assert run.status == RunStatus.MISMATCHED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CLOSED  # nothing moved


def test_a_payment_unknown_here_is_listed(merchant, alice_self):
    ghost = BillLine("CB20261202FFFFFFFFFFFFFFFF", "4200000000", "SUCCESS", 800)
    run = reconcile(merchant, DAY, [ghost])
    assert kinds(run) == [(MismatchKind.MISSING_HERE, ghost.out_trade_no)]
    assert run.mismatches.get().detail == "本地状态:无此订单"


def test_a_payment_here_that_the_bill_lacks_is_listed(merchant, alice_self):
    order = paid_order(merchant, alice_self)
    paid_order(merchant, alice_self, paid_at=NOON + timedelta(days=1))  # tomorrow's bill
    run = reconcile(merchant, DAY, [])
    assert kinds(run) == [(MismatchKind.MISSING_THERE, order.out_trade_no)]


def test_a_payment_of_another_amount_is_listed(merchant, alice_self):
    order = paid_order(merchant, alice_self)
    run = reconcile(merchant, DAY, [line(order, total=1400)])
    mismatch = run.mismatches.get()
    assert (mismatch.kind, mismatch.ours, mismatch.theirs) == (
        MismatchKind.AMOUNT_DIFFERS,
        1500,
        1400,
    )


def test_refund_differences_are_listed(merchant, alice_self):
    order = paid_order(merchant, alice_self, total=3000)
    unknown = BillLine(
        order.out_trade_no, order.transaction_id, "REFUND", 3000, "RF_UNKNOWN_1", 100, "SUCCESS"
    )
    lacking = refund(order, 200)
    other_amount = refund(order, 300)
    still_processing = refund(order, 400, status=RefundStatus.PROCESSING)
    run = reconcile(
        merchant,
        DAY,
        [
            line(order),
            unknown,
            refund_line(other_amount, amount=310),
            refund_line(still_processing),
        ],
    )
    found = {(m.kind, m.out_refund_no) for m in run.mismatches.all()}
    assert found == {
        (MismatchKind.REFUND_MISSING_HERE, "RF_UNKNOWN_1"),
        (MismatchKind.REFUND_MISSING_THERE, lacking.out_refund_no),
        (MismatchKind.REFUND_AMOUNT_DIFFERS, other_amount.out_refund_no),
        (MismatchKind.REFUND_STATE_DIFFERS, still_processing.out_refund_no),
    }


def test_a_refund_processing_in_the_snapshot_and_done_since_matches(merchant, alice_self):
    order = paid_order(merchant, alice_self)
    r = refund(order, 1500, status=RefundStatus.SUCCESS)
    run = reconcile(merchant, DAY, [line(order), refund_line(r, status="PROCESSING")])
    assert run.status == RunStatus.MATCHED


def test_another_institutions_orders_are_not_this_merchants(merchant, alice_self):
    from carebridge.institutions.models import Institution
    from carebridge.sandbox.wxpay.merchants import enroll

    other = enroll(
        Institution.objects.create(slug="kangning", name="康宁医院"), appid="wx_kn_0000000001"
    )
    paid_order(other, alice_self)
    assert reconcile(merchant, DAY, None).status == RunStatus.NO_STATEMENT


def test_a_failed_download_is_recorded_and_a_rerun_keeps_what_staff_resolved(merchant, alice_self):
    assert reconcile(merchant, DAY, None, error="timeout").status == RunStatus.FAILED
    order = paid_order(merchant, alice_self)
    run = reconcile(merchant, DAY, [])
    staff = get_user_model().objects.create_user("cashier", password="x")
    resolved = resolve_mismatch(run.mismatches.get(), Resolution.ACCEPTED, "补单已核实", staff)
    assert (resolved.resolved_by, resolved.resolution) == (staff, Resolution.ACCEPTED)
    with pytest.raises(AlreadyResolved):
        resolve_mismatch(resolved, Resolution.OTHER, "again", staff)
    again = reconcile(merchant, DAY, [])
    assert [m.pk for m in again.mismatches.all()] == [resolved.pk]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


@pytest.mark.parametrize(
    "bill_state, ours, differs",
    [
        ("FAIL", RefundStatus.SUCCESS, True),
        ("CHANGE", RefundStatus.SUCCESS, True),
        ("FAIL", RefundStatus.CLOSED, False),
        ("CHANGE", RefundStatus.ABNORMAL, False),
        ("SUCCESS", RefundStatus.ABNORMAL, True),
    ],
)
def test_the_bills_refund_words_are_read_as_the_refund_apis(
    merchant, alice_self, bill_state, ours, differs
):
    order = paid_order(merchant, alice_self)
    r = refund(order, 100, status=ours)
    run = reconcile(merchant, DAY, [line(order), refund_line(r, status=bill_state)])
    assert (run.status == RunStatus.MISMATCHED) is differs
