"""Matching a day's trade bill (WeChat Pay's record) with our ledger, line by line.

The bill lists a payment on the day WeChat Pay says it succeeded and a refund on the day it was
accepted (Beijing time, 00:00 to 00:00), each as its own line; it is a snapshot, so a refund
still PROCESSING in it may have succeeded since. Every difference becomes a ``Mismatch`` for
staff; nothing here changes an order or a refund."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from .. import tradebill
from ..models import (
    Merchant,
    Mismatch,
    MismatchKind,
    Order,
    OrderStatus,
    ReconciliationRun,
    Refund,
    RefundStatus,
    RunStatus,
)
from ..wxpay import NoStatement, WxPayClient, WxPayError

PAID = [OrderStatus.PAID, OrderStatus.REFUNDED]


# The bill's refund states in the refund API's words: FAIL is a closed refund, CHANGE one
# that could not reach the card and waits for staff (ABNORMAL).
BILL_REFUND_STATES = {
    "SUCCESS": RefundStatus.SUCCESS,
    "PROCESSING": RefundStatus.PROCESSING,
    "FAIL": RefundStatus.CLOSED,
    "CHANGE": RefundStatus.ABNORMAL,
}


def day_bounds(bill_date: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(bill_date, time.min))
    return start, start + timedelta(days=1)


def _payment_mismatches(merchant: Merchant, bill_date: date, lines: list[tradebill.BillRow]):
    start, end = day_bounds(bill_date)
    ours = {
        o.out_trade_no: o
        for o in Order.objects.filter(
            institution=merchant.institution_id,
            status__in=PAID,
            paid_wxpay__gt=0,
            paid_at__gte=start,
            paid_at__lt=end,
        )
    }
    theirs = {line.out_trade_no: line for line in lines if line.trade_state != "REFUND"}
    # A payment recorded here with a paid_at on another day (a clock's edge) is still ours.
    elsewhere = {
        o.out_trade_no: o
        for o in Order.objects.filter(
            institution=merchant.institution_id, out_trade_no__in=set(theirs) - set(ours)
        )
    }
    for number, line in theirs.items():
        order = ours.get(number) or elsewhere.get(number)
        if order is None or order.status not in PAID:
            state = order.get_status_display() if order else "无此订单"
            yield Mismatch(
                kind=MismatchKind.MISSING_HERE,
                out_trade_no=number,
                transaction_id=line.transaction_id,
                theirs=line.total,
                detail=f"本地状态:{state}",
            )
        elif order.paid_wxpay != line.total:
            yield Mismatch(
                kind=MismatchKind.AMOUNT_DIFFERS,
                out_trade_no=number,
                transaction_id=line.transaction_id,
                ours=order.paid_wxpay,
                theirs=line.total,
            )
    for number, order in ours.items():
        if number not in theirs:
            yield Mismatch(
                kind=MismatchKind.MISSING_THERE,
                out_trade_no=number,
                transaction_id=order.transaction_id,
                ours=order.paid_wxpay,
            )


def _state_differs(bill_state: str, ours: str) -> bool:
    """The bill is a snapshot taken at the day's end: PROCESSING there and SUCCESS here is
    the refund having finished since; SUCCESS there and anything else here is not."""
    theirs = BILL_REFUND_STATES.get(bill_state, bill_state)
    if theirs == RefundStatus.SUCCESS:
        return ours != RefundStatus.SUCCESS
    if theirs in (RefundStatus.CLOSED, RefundStatus.ABNORMAL):
        return ours == RefundStatus.SUCCESS
    return False


def _refund_mismatches(merchant: Merchant, bill_date: date, lines: list[tradebill.BillRow]):
    start, end = day_bounds(bill_date)
    refunds = Refund.objects.select_related("order").filter(
        order__institution=merchant.institution_id
    )
    ours = {r.out_refund_no: r for r in refunds.filter(accepted_at__gte=start, accepted_at__lt=end)}
    theirs = {line.out_refund_no: line for line in lines if line.trade_state == "REFUND"}
    elsewhere = {
        r.out_refund_no: r for r in refunds.filter(out_refund_no__in=set(theirs) - set(ours))
    }
    for number, line in theirs.items():
        refund = ours.get(number) or elsewhere.get(number)
        common = {"out_trade_no": line.out_trade_no, "out_refund_no": number}
        if refund is None:
            yield Mismatch(kind=MismatchKind.REFUND_MISSING_HERE, theirs=line.refund, **common)
        elif refund.amount != line.refund:
            yield Mismatch(
                kind=MismatchKind.REFUND_AMOUNT_DIFFERS,
                ours=refund.amount,
                theirs=line.refund,
                **common,
            )
        elif _state_differs(line.refund_state, refund.status):
            yield Mismatch(
                kind=MismatchKind.REFUND_STATE_DIFFERS,
                ours=refund.amount,
                theirs=line.refund,
                detail=f"微信:{line.refund_state},本地:{refund.get_status_display()}",
                **common,
            )
    for number, refund in ours.items():
        if number not in theirs:
            yield Mismatch(
                kind=MismatchKind.REFUND_MISSING_THERE,
                out_trade_no=refund.order.out_trade_no,
                out_refund_no=number,
                ours=refund.amount,
            )


@transaction.atomic
def reconcile(
    merchant: Merchant, bill_date: date, lines: list[tradebill.BillRow] | None, error: str = ""
) -> ReconciliationRun:
    """Record the day's run: ``lines`` is the bill's rows (None when WeChat Pay has no statement for
    the day; with ``error`` when it could not be had). Run again, it replaces the day's
    unresolved mismatches and keeps the ones staff resolved."""
    run, _ = ReconciliationRun.objects.select_for_update().get_or_create(
        merchant=merchant, bill_date=bill_date, defaults={"status": RunStatus.FAILED}
    )
    run.error = error
    if error:
        run.status = RunStatus.FAILED
        run.save()
        return run
    lines = lines or []
    run.bill_rows = len(lines)
    run.bill_paid_total = sum(line.total for line in lines if line.trade_state != "REFUND")
    run.bill_refund_total = sum(line.refund for line in lines if line.trade_state == "REFUND")
    found = [
        *_payment_mismatches(merchant, bill_date, lines),
        *_refund_mismatches(merchant, bill_date, lines),
    ]
    run.mismatches.filter(resolved_at=None).delete()
    resolved = {(m.kind, m.out_trade_no, m.out_refund_no) for m in run.mismatches.all()}
    for mismatch in found:
        mismatch.run = run
    Mismatch.objects.bulk_create(
        [m for m in found if (m.kind, m.out_trade_no, m.out_refund_no) not in resolved]
    )
    if found:
        run.status = RunStatus.MISMATCHED
    else:
        run.status = RunStatus.MATCHED if lines else RunStatus.NO_STATEMENT
    run.save()
    return run


class AlreadyResolved(Exception):
    pass


@transaction.atomic
def resolve_mismatch(mismatch: Mismatch, resolution: str, note: str, by) -> Mismatch:
    """Staff's recorded answer to a mismatch: who, when, what they did and why. It moves no
    money: a refund or a recorded payment goes through its own action first."""
    claimed = Mismatch.objects.filter(pk=mismatch.pk, resolved_at=None).update(
        resolution=resolution, note=note[:200], resolved_by=by, resolved_at=timezone.now()
    )
    if not claimed:
        raise AlreadyResolved(mismatch.pk)
    mismatch.refresh_from_db()
    return mismatch


def reconcile_day(merchant: Merchant, bill_date: date) -> ReconciliationRun:
    """Download ``bill_date``'s trade bill and match it. A day without trades at WeChat Pay
    still checks that we recorded none; a bill that cannot be had or read is recorded as a
    failed run and raises BillUnavailable, so the daily job tries again later."""
    try:
        bill = tradebill.parse(WxPayClient(merchant).trade_bill(bill_date))
    except NoStatement:
        return reconcile(merchant, bill_date, None)
    except (WxPayError, tradebill.MalformedBill) as exc:
        reconcile(merchant, bill_date, None, error=f"{exc.__class__.__name__}: {exc}"[:2000])
        raise BillUnavailable(f"{merchant.mchid} {bill_date}: {exc}") from exc
    return reconcile(merchant, bill_date, bill.rows)


class BillUnavailable(Exception):
    """The day's bill could not be downloaded or read; the run is recorded as failed."""
