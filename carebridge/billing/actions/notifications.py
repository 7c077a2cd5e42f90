"""Applying a verified WeChat Pay notification once (the notification view's one action).

A payment and a refund are each applied with a conditional update (``apply_payment``,
``apply_refund_result``): a replayed, reordered or concurrent delivery, a second notification
of the same payment, or a query answer racing one finds nothing left to claim and applies
nothing. Two deliveries at once wait for each other on the order's row, and the second finds
it claimed. Each notification id is recorded once (PayNotification, unique), with what it did,
in the same transaction as the change: one transaction and no savepoint. A registration fee's
payment is two statements in it (the order's claim, which also marks its follow-up due for the
worker, and the record), and so is WeChat Pay's retry of it (the claim, finding nothing, and
the read of the record, which answers it); bench/RESULTS.md, "Payments"."""

from dataclasses import dataclass

from django.db import transaction

from ..models import Merchant, PayNotification
from ..notifications import BadNotification, Notification
from .orders import Payment, PaymentMismatch, apply_payment, claim_payment
from .refunds import RefundMismatch, RefundResult, apply_refund_result

PAYMENT_EVENTS = {"TRANSACTION.SUCCESS"}
REFUND_EVENTS = {
    "REFUND.SUCCESS": "SUCCESS",
    "REFUND.ABNORMAL": "ABNORMAL",
    "REFUND.CLOSED": "CLOSED",
}
REFUSED = "refused: "


@dataclass(frozen=True)
class Outcome:
    """What to answer WeChat Pay: ``accepted`` (204) or refused (4xx with ``message``)."""

    accepted: bool
    message: str


def _outcome(recorded: str) -> Outcome:
    if recorded.startswith(REFUSED):
        return Outcome(False, recorded[len(REFUSED) :])
    return Outcome(True, recorded)


@transaction.atomic
def apply_notification(merchant: Merchant, note: Notification) -> Outcome:
    """Apply ``note`` (verified, for ``merchant``) once and record it; BadNotification, with
    nothing recorded, when its resource lacks what its event needs.

    A payment or refund that is not ours as recorded (another merchant's order, another
    amount) changes nothing and is refused (4xx), and so is every replay of it: WeChat Pay's
    merchant platform then shows the notification as failed, which the finance office sees
    beside our log line and the reconciliation's mismatch list; acknowledging it would hide
    the one sign WeChat Pay itself gives. Its retries cost a lookup each."""
    payment = refund = None
    resource = note.resource
    if len(note.id) > 64 or len(note.event_type) > 32:  # the columns' sizes; WeChat's are less
        raise BadNotification("id or event_type too long")
    try:
        if note.event_type in PAYMENT_EVENTS:
            payment = Payment.from_transaction(resource)
        elif note.event_type in REFUND_EVENTS:
            refund = RefundResult.from_wxpay(resource)
            if refund.status != REFUND_EVENTS[note.event_type]:
                raise ValueError(f"refund_status {refund.status} under {note.event_type}")
    except (KeyError, ValueError, TypeError) as exc:
        raise BadNotification(f"resource: {exc.__class__.__name__} {exc}"[:200]) from exc
    if payment is not None and claim_payment(payment, merchant):
        outcome = "paid"
    elif payment is not None and (earlier := _recorded(merchant, note.id)) is not None:
        # WeChat Pay's retry of a delivery recorded already (a retry keeps the notification's
        # id; many come while the first is in flight, and its claim waited for that one's
        # commit): that delivery's answer, read from its record, with nothing written.
        return _outcome(earlier)
    else:
        outcome = _apply(merchant, note.event_type, payment, refund)[:200]
    # Recorded with what it did, in the same transaction. A replay (the same id) that got here
    # too (in flight with its first delivery, neither claiming) finds its row taken and writes
    # nothing: what it would apply was claimed already (the conditional updates), and a
    # refused one is refused again.
    PayNotification.objects.bulk_create(
        [
            PayNotification(
                merchant=merchant,
                notification_id=note.id,
                event_type=note.event_type,
                out_trade_no=str(resource.get("out_trade_no", ""))[:32],
                out_refund_no=str(resource.get("out_refund_no", ""))[:64],
                outcome=outcome,
            )
        ],
        ignore_conflicts=True,
    )
    return _outcome(outcome)


def _recorded(merchant: Merchant, notification_id: str) -> str | None:
    """The outcome recorded for ``merchant``'s notification ``notification_id``, if any."""
    return next(
        iter(
            PayNotification.objects.filter(notification_id=notification_id, merchant=merchant)
            .values_list("outcome", flat=True)
            .order_by()[:1]  # the id is unique: no ORDER BY to build
        ),
        None,
    )


def _apply(merchant, event_type: str, payment: Payment | None, refund: RefundResult | None) -> str:
    if payment is not None:
        if payment.mchid != merchant.mchid:
            return f"{REFUSED}merchant {payment.mchid} is not {merchant.mchid}"
        try:
            # Its claim_payment found nothing: a payment claimed already, one to refuse, or
            # an order whose kind's on_paid runs here.
            return "paid" if apply_payment(payment) else "already paid"
        except PaymentMismatch as exc:
            return f"{REFUSED}{exc}"
    if refund is not None:
        if refund.mchid and refund.mchid != merchant.mchid:
            return f"{REFUSED}merchant {refund.mchid} is not {merchant.mchid}"
        try:
            applied = apply_refund_result(refund)
        except RefundMismatch as exc:
            return f"{REFUSED}{exc}"
        return f"refund {refund.status}" if applied else "refund already applied"
    return f"ignored {event_type}"
