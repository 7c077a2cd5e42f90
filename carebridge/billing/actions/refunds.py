"""Refunds as a ledger: asked for here, submitted to WeChat Pay through the outbox, and settled
only by WeChat Pay's word (a verified refund notification or a refund query's answer).

A refund's row is written before WeChat Pay hears of it, with its own out_refund_no, and every
submission of it (a retry after a timeout, a worker run again after a crash) sends that same
number: WeChat Pay refunds one out_refund_no once. Accepted is not refunded: the submission only
moves the refund to PROCESSING."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from carebridge.outbox.actions import enqueue

from ..backoff import FIRST_CHECK
from ..errors import (
    BadRefundAmount,
    MissingRefundReason,
    NotRefundable,
    RefundExceedsRemainder,
    TooManyRefunds,
)
from ..kinds import ON_REFUNDED
from ..models import MAX_REFUNDS_PER_ORDER, Order, OrderStatus, Refund, RefundStatus
from ..wxpay import WxPayClient

SUBMIT_TOPIC = "billing.refund"

# What each of WeChat Pay's outcomes may replace. SUCCESS and CLOSED are final; ABNORMAL (the
# payer's card was closed…) waits for staff at WeChat Pay's merchant platform, whose outcome
# then arrives as SUCCESS or CLOSED.
FROM_STATES = {
    RefundStatus.PROCESSING: [RefundStatus.PENDING],
    RefundStatus.SUCCESS: [RefundStatus.PENDING, RefundStatus.PROCESSING, RefundStatus.ABNORMAL],
    RefundStatus.CLOSED: [RefundStatus.PENDING, RefundStatus.PROCESSING, RefundStatus.ABNORMAL],
    RefundStatus.ABNORMAL: [RefundStatus.PENDING, RefundStatus.PROCESSING],
}


class RefundMismatch(Exception):
    """A refund outcome that is not one of our refunds as we recorded it: applied to nothing."""


@dataclass(frozen=True)
class RefundResult:
    """What WeChat Pay says of a refund: a refund notification's resource or a query's answer."""

    out_refund_no: str
    out_trade_no: str
    status: str
    refund_id: str
    refund: int
    total: int
    success_time: datetime | None
    mchid: str = ""  # a notification names the merchant; a query's answer does not

    @classmethod
    def from_wxpay(cls, data: dict) -> "RefundResult":
        """From a notification's resource (``refund_status``) or a query's answer (``status``);
        KeyError/ValueError/TypeError for a malformed one."""
        status = data.get("refund_status") or data["status"]
        if status not in FROM_STATES:
            raise ValueError(f"refund status {status!r}")
        amount = data["amount"]
        refund, total = amount["refund"], amount["total"]
        for value in (refund, total):
            if type(value) is not int or value <= 0:
                raise ValueError("amount.refund / amount.total")
        success = data.get("success_time")
        return cls(
            out_refund_no=str(data["out_refund_no"]),
            out_trade_no=str(data["out_trade_no"]),
            status=status,
            refund_id=str(data.get("refund_id", "")),
            refund=refund,
            total=total,
            success_time=datetime.fromisoformat(success) if success else None,
            mchid=str(data.get("mchid", "")),
        )


@transaction.atomic
def request_refund(order: Order, amount: int, reason: str, by=None) -> Refund:
    """Refund ``amount`` fen of ``order``'s WeChat Pay part, for ``reason``, asked by staff
    member ``by`` (None: the system, e.g. a cancelled appointment's fee). Writes a PENDING
    refund and queues its submission; a RefundRefused, with nothing changed, when the order is
    not PAID, the amount is not a positive integer or exceeds the refundable remainder, the
    reason is empty, or the order has had WeChat Pay's 50 refunds.

    The order's row is locked first, so two staff refunding at once are counted one after the
    other and never together exceed the remainder."""
    if type(amount) is not int or amount <= 0:
        raise BadRefundAmount()
    reason = " ".join((reason or "").split())[:80]
    if not reason:
        raise MissingRefundReason()
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != OrderStatus.PAID or locked.paid_wxpay == 0:
        raise NotRefundable()
    if locked.refunds.count() >= MAX_REFUNDS_PER_ORDER:
        raise TooManyRefunds()
    remainder = locked.refundable()
    if amount > remainder:
        raise RefundExceedsRemainder(
            RefundExceedsRemainder.default_message + f" ({remainder / 100:.2f})"
        )
    refund = Refund.objects.create(order=locked, amount=amount, reason=reason, requested_by=by)
    enqueue(SUBMIT_TOPIC, {"refund": refund.pk})
    return refund


def submit_refund(refund_pk: int) -> dict:
    """Send a PENDING refund to WeChat Pay (the outbox's SUBMIT_TOPIC handler), always under
    its own out_refund_no, and record the acceptance. WxPayUnavailable / WxPayRefused pass
    through for the handler to retry or give up; nothing is recorded then."""
    refund = Refund.objects.select_related("order__institution__merchant").get(pk=refund_pk)
    if refund.status != RefundStatus.PENDING:
        return {"status": refund.status}  # an outcome came first, or a run before this one
    order = refund.order
    merchant = order.institution.merchant
    answer = WxPayClient(merchant).refund(
        out_trade_no=order.out_trade_no,
        out_refund_no=refund.out_refund_no,
        refund=refund.amount,
        total=order.paid_wxpay,
        reason=refund.reason,
        notify_url=merchant.notify_url,
    )
    record_acceptance(refund, answer)
    return {"status": str(answer.get("status", "")), "refund_id": answer.get("refund_id", "")}


@transaction.atomic
def record_acceptance(refund: Refund, answer: dict) -> bool:
    """WeChat Pay accepted the submission (its signed answer): PENDING → PROCESSING, first
    queried after FIRST_CHECK unless its notification comes first. False when an outcome had
    already arrived (a notification can overtake the answer)."""
    return bool(
        Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
            status=RefundStatus.PROCESSING,
            refund_id=str(answer.get("refund_id", ""))[:32],
            accepted_at=timezone.now(),
            next_query_at=timezone.now() + FIRST_CHECK,
        )
    )


@transaction.atomic
def record_refund_result(result: RefundResult) -> Refund | None:
    """Apply WeChat Pay's word on a refund, once: a conditional update claims the change, so a
    replayed, reordered or concurrent outcome finds nothing to claim and returns None. On
    SUCCESS the order becomes REFUNDED once its WeChat Pay part is all refunded, and its kind's
    ``on_refunded`` runs. RefundMismatch, with nothing written, if it is not our refund as
    recorded."""
    return apply_refund_result(result)


def apply_refund_result(result: RefundResult) -> Refund | None:
    """``record_refund_result`` in the caller's transaction, which must be atomic."""
    refund = (
        Refund.objects.select_related("order__institution__merchant")
        .filter(out_refund_no=result.out_refund_no)
        .first()
    )
    if refund is None:
        raise RefundMismatch(f"no refund {result.out_refund_no}")
    order = refund.order
    if result.out_trade_no != order.out_trade_no:
        raise RefundMismatch(f"order {result.out_trade_no} is not the refund's")
    if result.mchid and result.mchid != order.institution.merchant.mchid:
        raise RefundMismatch(f"merchant {result.mchid} is not the order's")
    if (result.refund, result.total) != (refund.amount, order.paid_wxpay):
        raise RefundMismatch(
            f"amount {result.refund}/{result.total} is not {refund.amount}/{order.paid_wxpay}"
        )
    final = result.status != RefundStatus.PROCESSING
    later = refund.next_query_at or timezone.now() + FIRST_CHECK
    fields = {"status": result.status, "next_query_at": None if final else later}
    # Accepted, if its outcome overtook the submission's answer: the reconciliation matches the
    # bill's refund lines by the day of acceptance.
    fields["accepted_at"] = Coalesce(F("accepted_at"), timezone.now())
    if result.refund_id:
        fields["refund_id"] = result.refund_id[:32]
    if result.status == RefundStatus.SUCCESS:
        fields["succeeded_at"] = result.success_time or timezone.now()
    claimed = Refund.objects.filter(pk=refund.pk, status__in=FROM_STATES[result.status]).update(
        **fields
    )
    if not claimed:
        return None
    refund.refresh_from_db()
    if refund.status == RefundStatus.SUCCESS:
        _settle(order)
        refund.order.refresh_from_db()
        handler = ON_REFUNDED.get(order.kind)
        if handler:
            handler(refund)
    return refund


def _settle(order: Order) -> None:
    """A PAID order whose whole amount went back through WeChat Pay is REFUNDED."""
    refunded = order.refunds.filter(status=RefundStatus.SUCCESS).aggregate(n=Sum("amount"))["n"]
    if order.paid_wxpay == order.total and refunded == order.total:
        Order.objects.filter(pk=order.pk, status=OrderStatus.PAID).update(
            status=OrderStatus.REFUNDED
        )
