"""Applying a verified WeChat Pay notification once (the notification view's one action).

Each notification's id is recorded (PayNotification, unique) in the same transaction as what
it changes: a replay finds its id taken and applies nothing; two deliveries at once wait for
each other on that unique key, and the second is a replay. A payment and a refund are each
applied with a conditional update besides (``record_payment``, ``record_refund_result``), so
a second notification with a new id for the same payment, or a query answer racing one,
changes nothing either."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from ..models import Merchant, PayNotification
from ..notifications import BadNotification, Notification
from .orders import Payment, PaymentMismatch, record_payment
from .refunds import RefundMismatch, RefundResult, record_refund_result

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
    """Record ``note`` (verified, for ``merchant``) and apply it once; BadNotification, with
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
    record = PayNotification(
        merchant=merchant,
        notification_id=note.id,
        event_type=note.event_type,
        out_trade_no=str(resource.get("out_trade_no", ""))[:32],
        out_refund_no=str(resource.get("out_refund_no", ""))[:64],
    )
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        earlier = PayNotification.objects.filter(notification_id=note.id).first()
        return _outcome(earlier.outcome if earlier else "duplicate")
    record.outcome = _apply(merchant, note.event_type, payment, refund)[:200]
    record.save(update_fields=["outcome"])
    return _outcome(record.outcome)


def _apply(merchant, event_type: str, payment: Payment | None, refund: RefundResult | None) -> str:
    if payment is not None:
        if payment.mchid != merchant.mchid:
            return f"{REFUSED}merchant {payment.mchid} is not {merchant.mchid}"
        try:
            return "paid" if record_payment(payment) else "already paid"
        except PaymentMismatch as exc:
            return f"{REFUSED}{exc}"
    if refund is not None:
        if refund.mchid and refund.mchid != merchant.mchid:
            return f"{REFUSED}merchant {refund.mchid} is not {merchant.mchid}"
        try:
            applied = record_refund_result(refund)
        except RefundMismatch as exc:
            return f"{REFUSED}{exc}"
        return f"refund {refund.status}" if applied else "refund already applied"
    return f"ignored {event_type}"
