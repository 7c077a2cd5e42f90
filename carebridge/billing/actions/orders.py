"""Opening an order and moving it out of PENDING. Only ``record_payment`` (fed by a verified
notification or a query answer) marks an order paid; the H5 page's "ok" never does."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import backoff
from ..backoff import FIRST_CHECK
from ..kinds import IN_WORKER, ON_CLOSED, ON_PAID
from ..models import Order, OrderStatus

log = logging.getLogger("carebridge.billing")
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


# The states a payment may move an order out of (a closed order's payment raced its close).
CLAIMABLE = [OrderStatus.PENDING, OrderStatus.CLOSED]


@transaction.atomic
def record_payment(payment: Payment) -> Order | None:
    """Apply WeChat Pay's word that ``payment`` succeeded: the order becomes PAID once, its
    kind's ``on_paid`` runs once (in the worker's sweep, ``follow_up_payments``, for kinds
    registered ``in_worker``). The conditional update claims the change, so a replayed,
    reordered or concurrent notification (or a query answer racing one) finds nothing to
    claim and returns None; otherwise the order, as paid. PaymentMismatch, with nothing
    written, if the payment is not this order's.

    An order closed here but paid at WeChat Pay (the payment raced the close) is still
    recorded paid: the patient's money arrived, and the reconciliation lists it for staff."""
    if not apply_payment(payment):
        return None
    return Order.objects.get(out_trade_no=payment.out_trade_no)


def _paid(payment: Payment) -> dict:
    return {
        "status": OrderStatus.PAID,
        "paid_wxpay": payment.total,
        "transaction_id": payment.transaction_id,
        "payer_openid": payment.payer_openid,
        "paid_at": payment.success_time,
        "next_query_at": None,
    }


def claim_payment(payment: Payment, merchant) -> bool:
    """The notification's hot path (``merchant``: the one whose keys vouched for ``payment``):
    an order followed up in the worker is claimed by one UPDATE that checks everything (its
    merchant's institution, its amount, its state) on the order's own row, with no join, so
    PostgreSQL re-checks it all on the row a concurrent claim leaves. True if it claimed;
    anything else (a payment claimed already, a mismatch, another kind) finds nothing and
    writes nothing, and ``apply_payment`` says why. In the caller's atomic transaction."""
    if (payment.mchid, payment.appid) != (merchant.mchid, merchant.appid):
        return False
    return bool(
        Order.objects.filter(
            out_trade_no=payment.out_trade_no,
            institution_id=merchant.institution_id,
            kind__in=IN_WORKER,
            total=payment.total,
            status__in=CLAIMABLE,
        ).update(**_paid(payment), follow_up_due=True)
    )


def apply_payment(payment: Payment) -> bool:
    """``record_payment`` in the caller's transaction, which must be atomic (the notification
    view records the notification in the same one, without a savepoint: a PaymentMismatch is
    raised before anything is written). The notification view tries ``claim_payment`` first,
    and comes here when it found nothing: a payment claimed already, one to refuse, or an
    order of another kind."""
    # The merchant's two ids, not the merchant: its row carries encrypted keys, decrypted on
    # every load.
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
    if order.status not in CLAIMABLE:  # paid (or refunded) for good: no claim to try
        return False
    paid = _paid(payment)
    in_worker = order.kind in IN_WORKER
    claimed = Order.objects.filter(pk=order.pk, status__in=CLAIMABLE).update(
        **paid, follow_up_due=in_worker
    )
    if not claimed:
        return False
    for name, value in paid.items():  # what the claim wrote: no need to read it back
        setattr(order, name, value)
    handler = ON_PAID.get(order.kind)
    if handler and not in_worker:
        handler(order)
    return True


def follow_up_payments(limit: int, now=None) -> int:
    """The worker's sweep (tasks.py): the ``on_paid`` of up to ``limit`` paid orders of kinds
    registered ``in_worker``, oldest payment first. Each is taken by clearing its
    ``follow_up_due`` with a conditional update in the transaction that runs its ``on_paid``:
    both commit or neither, and two workers never run one. One that fails is logged, left due
    and tried again after a backoff (backoff.follow_up_pause), staff alerted in the log at
    ERROR once it has failed FOLLOW_UP_ALERT_AFTER times; the others go on. Returns how many
    were run."""
    now = now or timezone.now()
    due = (
        Order.objects.filter(follow_up_due=True)
        .filter(Q(follow_up_after=None) | Q(follow_up_after__lte=now))
        .order_by("paid_at")
        .values_list("pk", "kind", "follow_up_failures")
    )
    done = 0
    for pk, kind, failures in due[:limit]:
        try:
            with transaction.atomic():
                if not Order.objects.filter(pk=pk, follow_up_due=True).update(follow_up_due=False):
                    continue  # another worker's
                ON_PAID[kind](Order.objects.get(pk=pk))
        except Exception:
            failures += 1
            Order.objects.filter(pk=pk, follow_up_due=True).update(
                follow_up_failures=failures,
                follow_up_after=now + backoff.follow_up_pause(failures),
            )
            if failures >= backoff.FOLLOW_UP_ALERT_AFTER:
                log.exception(
                    "order %s: the payment's follow-up failed %s times (staff alert)", pk, failures
                )
            else:
                log.warning(
                    "order %s: the payment's follow-up failed; tried again later", pk, exc_info=True
                )
            continue
        done += 1
    return done


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
