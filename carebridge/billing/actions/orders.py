"""Opening an order and moving it out of PENDING. Only ``record_payment`` (fed by a verified
notification or a query answer) marks an order paid; the H5 page's "ok" never does."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from carebridge.outbox.actions import enqueue

from ..backoff import FIRST_CHECK
from ..kinds import FOLLOW_UP_TOPIC, IN_WORKER, ON_CLOSED, ON_PAID
from ..models import Order, OrderStatus

DEFAULT_DEADLINE = timedelta(minutes=15)


class PaymentMismatch(Exception):
    """A payment whose merchant, app id or amount is not the order's: applied to nothing."""


@dataclass(frozen=True)
class Payment:
    """What WeChat Pay says was paid (a notification's or query's transaction)."""

    out_trade_no: str
    mchid: str
    appid: str
    total: int
    transaction_id: str
    payer_openid: str
    success_time: datetime

    @classmethod
    def from_transaction(cls, data: dict) -> "Payment":
        """From WeChat Pay's transaction object, trade_state SUCCESS; KeyError/ValueError/TypeError
        for a malformed one."""
        if data["trade_state"] != "SUCCESS":
            raise ValueError(f"trade_state {data['trade_state']}")
        total = data["amount"]["total"]
        if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
            raise ValueError("amount.total")
        return cls(
            out_trade_no=str(data["out_trade_no"]),
            mchid=str(data["mchid"]),
            appid=str(data["appid"]),
            total=total,
            transaction_id=str(data["transaction_id"]),
            payer_openid=str(data.get("payer", {}).get("openid", "")),
            success_time=datetime.fromisoformat(data["success_time"]),
        )


def open_order(
    *, institution, patient, kind, description, total, follower=None, deadline=None, **fields
) -> Order:
    """A PENDING order of ``total`` fen, payable until now + ``deadline`` (15 min by default).
    ``total`` must come from the server's own records (a schedule's fee, the HIS's bill).
    Whoever opens one in a transaction of theirs gets it in that transaction (one INSERT)."""
    if total <= 0:
        raise ValueError("an order is for a positive amount")
    now = timezone.now()
    expires_at = now + (deadline or DEFAULT_DEADLINE)
    return Order.objects.create(
        institution=institution,
        patient=patient,
        follower=follower,
        kind=kind,
        description=description[:127],
        total=total,
        expires_at=expires_at,
        # Queried if no notification has come by then, and closed at the deadline (checks.py).
        next_query_at=min(now + FIRST_CHECK, expires_at),
        **fields,
    )


@transaction.atomic
def record_payment(payment: Payment) -> Order | None:
    """Apply WeChat Pay's word that ``payment`` succeeded: the order becomes PAID once, its
    kind's ``on_paid`` runs once (in the worker, for kinds registered ``in_worker``: see
    ``follow_up_payment``). The conditional update claims the change, so a replayed,
    reordered or concurrent notification (or a query answer racing one) finds nothing to
    claim and returns None. PaymentMismatch, with nothing written, if the payment is not
    this order's.

    An order closed here but paid at WeChat Pay (the payment raced the close) is still
    recorded paid: the patient's money arrived, and the reconciliation lists it for staff."""
    return apply_payment(payment)


def apply_payment(payment: Payment) -> Order | None:
    """``record_payment`` in the caller's transaction, which must be atomic (the notification
    view records the notification in the same one, without a savepoint: a PaymentMismatch is
    raised before anything is written)."""
    # The merchant's two ids, not the merchant: its row carries encrypted keys, decrypted on
    # every load, and this is the notification's hot path.
    found = (
        Order.objects.filter(out_trade_no=payment.out_trade_no)
        .annotate(mchid=F("institution__merchant__mchid"), appid=F("institution__merchant__appid"))
        .order_by()[:1]  # out_trade_no is unique: no ORDER BY to build
    )
    order = next(iter(found), None)
    if order is None:
        raise PaymentMismatch(f"no order {payment.out_trade_no}")
    if (payment.mchid, payment.appid) != (order.mchid, order.appid):
        raise PaymentMismatch(f"merchant {payment.mchid}/{payment.appid} is not the order's")
    if payment.total != order.total:
        raise PaymentMismatch(f"amount {payment.total} is not the order's {order.total}")
    paid = {
        "status": OrderStatus.PAID,
        "paid_wxpay": payment.total,
        "transaction_id": payment.transaction_id,
        "payer_openid": payment.payer_openid,
        "paid_at": payment.success_time,
        "next_query_at": None,
    }
    claimed = Order.objects.filter(
        pk=order.pk, status__in=[OrderStatus.PENDING, OrderStatus.CLOSED]
    ).update(**paid)
    if not claimed:
        return None
    for name, value in paid.items():  # what the claim wrote: no need to read it back
        setattr(order, name, value)
    if order.kind in IN_WORKER:
        # One INSERT, committed with the claim: the worker runs on_paid from it. No dedup key
        # (and so no savepoint): the claim above succeeds once per order.
        enqueue(FOLLOW_UP_TOPIC, {"order": order.pk})
        return order
    handler = ON_PAID.get(order.kind)
    if handler:
        handler(order)
    return order


@transaction.atomic
def follow_up_payment(order_pk: int) -> str:
    """The worker's half of a payment of a kind registered ``in_worker``: its ``on_paid``, run
    in a transaction of its own. Run again (the worker died before recording it), the kind's
    ``on_paid`` finds its work done and changes nothing. Returns what it did, for the row."""
    order = Order.objects.filter(pk=order_pk).first()
    if order is None or order.kind not in IN_WORKER:
        return "nothing to follow up"
    ON_PAID[order.kind](order)
    return "followed up"


@transaction.atomic
def mark_closed(order: Order) -> bool:
    """The order was closed at WeChat Pay (or never reached it) and will not be paid: CLOSED
    once, its kind's ``on_closed`` once. False if it was no longer PENDING."""
    claimed = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
        status=OrderStatus.CLOSED, closed_at=timezone.now(), next_query_at=None
    )
    if not claimed:
        return False
    order.refresh_from_db()
    handler = ON_CLOSED.get(order.kind)
    if handler:
        handler(order)
    return True


def withdraw_orders(orders) -> int:
    """The pending orders of the queryset ``orders`` will not be paid after all (the patient
    cancelled what they were for): their deadline is brought forward to now, so the pay page
    no longer offers them and the next sweep closes them at WeChat Pay (checks.py). A payment
    that beats the close is still recorded, and its kind refunds what is no longer owed.
    One UPDATE, in the caller's transaction; returns how many orders it withdrew."""
    now = timezone.now()
    return orders.filter(status=OrderStatus.PENDING).update(expires_at=now, next_query_at=now)
