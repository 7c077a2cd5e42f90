"""Asking WeChat Pay when its notification has not come (outbox sweeps, tasks.py).

A PENDING order is queried from 5 minutes after it was opened, then on a backoff
(backoff.py), and at its deadline closed at WeChat Pay: close, then a query to confirm, and
only then ``mark_closed`` (or ``record_payment``, when the query says the patient paid after
all). A PROCESSING refund is queried the same way until WeChat Pay says how it ended. WeChat
Pay unreachable, or an answer that does not verify: nothing changes, it is asked again later.

Each sweep takes its rows with a conditional update of ``next_query_at`` (STYLE.md item 5), so
two workers never query the same order at once, and one that dies lets it go after
CHECK_LEASE."""

import logging

from django.db.models import F
from django.utils import timezone

from ..backoff import CHECK_LEASE, UNAVAILABLE_PAUSE, pause
from ..models import Merchant, Order, OrderStatus, Refund, RefundStatus
from ..wxpay import NotTrusted, WxPayClient, WxPayRefused, WxPayUnavailable
from .orders import Payment, PaymentMismatch, mark_closed, record_payment
from .refunds import RefundMismatch, RefundResult, record_refund_result

log = logging.getLogger("carebridge.billing")

# trade_state values after which the order can no longer be paid.
UNPAYABLE = {"CLOSED", "REVOKED", "PAYERROR"}
# Refusals of close that leave the query to say what happened.
CLOSE_SETTLED = {"ORDERPAID", "ORDER_NOT_EXIST", "ORDER_CLOSED"}


def _take(model, rows, now) -> list:
    """Those of ``rows`` this worker claimed: their next_query_at moved past the lease."""
    taken = []
    for row in rows:
        if model.objects.filter(pk=row.pk, next_query_at=row.next_query_at).update(
            next_query_at=now + CHECK_LEASE
        ):
            taken.append(row)
    return taken


def check_due_orders(limit: int) -> int:
    """Query (or close) up to ``limit`` pending orders that are due; return how many."""
    now = timezone.now()
    due = (
        Order.objects.filter(status=OrderStatus.PENDING, next_query_at__lte=now)
        .select_related("institution")
        .order_by("next_query_at")[:limit]
    )
    taken = _take(Order, list(due), now)
    for order in taken:
        check_order(order, now)
    return len(taken)


def _later(order: Order, delay, count: bool = True) -> str:
    """Ask again after ``delay``, never past the deadline (then it is closed)."""
    when = timezone.now() + delay
    if when > order.expires_at and timezone.now() < order.expires_at:
        when = order.expires_at
    Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
        next_query_at=when, query_attempts=F("query_attempts") + int(count)
    )
    return "later"


def check_order(order: Order, now=None) -> str:
    """Ask WeChat Pay about one pending order, closing it there when its deadline has passed;
    apply what the answer says. Returns what happened ("paid", "closed", "later"…)."""
    now = now or timezone.now()
    closing = now >= order.expires_at
    merchant = Merchant.objects.filter(institution=order.institution_id).first()
    if merchant is None:  # it never reached WeChat Pay: nobody can have paid it
        return "closed" if closing and mark_closed(order) else _later(order, pause(1))
    client = WxPayClient(merchant)
    try:
        if closing:
            try:
                client.close(order.out_trade_no)
            except WxPayRefused as exc:
                if exc.code not in CLOSE_SETTLED:
                    raise
        answer = client.query(order.out_trade_no)
    except WxPayRefused as exc:
        if exc.code != "ORDER_NOT_EXIST":
            log.warning("order %s: WeChat Pay refused the check: %s", order.out_trade_no, exc)
            return _later(order, pause(order.query_attempts + 1))
        answer = {"trade_state": "NOT_EXIST"}  # never placed (the patient never opened it)
    except (WxPayUnavailable, NotTrusted) as exc:
        log.warning("order %s: WeChat Pay not reached: %s", order.out_trade_no, exc)
        return _later(order, UNAVAILABLE_PAUSE, count=False)
    state = answer.get("trade_state")
    if state == "SUCCESS":
        try:
            record_payment(Payment.from_transaction(answer))
        except (PaymentMismatch, KeyError, ValueError, TypeError) as exc:
            # WeChat Pay's signed word disagrees with our order: staff must look (the trade
            # bill's reconciliation lists it); querying again would only say the same.
            log.error("order %s: query answer not applied: %s", order.out_trade_no, exc)
            Order.objects.filter(pk=order.pk).update(next_query_at=None)
            return "mismatch"
        return "paid"
    if state in UNPAYABLE or (closing and state in ("NOTPAY", "NOT_EXIST")):
        mark_closed(order)
        return "closed"
    # NOTPAY or USERPAYING (the payer is entering the password) before the deadline.
    return _later(order, pause(order.query_attempts + 1))


def check_due_refunds(limit: int) -> int:
    """Query up to ``limit`` PROCESSING refunds that are due; return how many."""
    now = timezone.now()
    due = (
        Refund.objects.filter(status=RefundStatus.PROCESSING, next_query_at__lte=now)
        .select_related("order__institution__merchant")
        .order_by("next_query_at")[:limit]
    )
    taken = _take(Refund, list(due), now)
    for refund in taken:
        check_refund(refund)
    return len(taken)


def _refund_later(refund: Refund, delay, count: bool = True) -> str:
    Refund.objects.filter(pk=refund.pk, status=RefundStatus.PROCESSING).update(
        next_query_at=timezone.now() + delay, query_attempts=F("query_attempts") + int(count)
    )
    return "later"


def check_refund(refund: Refund) -> str:
    """Ask WeChat Pay how a refund stands and apply its answer."""
    client = WxPayClient(refund.order.institution.merchant)
    try:
        answer = client.query_refund(refund.out_refund_no)
        result = RefundResult.from_wxpay(answer)
    except (WxPayUnavailable, NotTrusted) as exc:
        log.warning("refund %s: WeChat Pay not reached: %s", refund.out_refund_no, exc)
        return _refund_later(refund, UNAVAILABLE_PAUSE, count=False)
    except (WxPayRefused, KeyError, ValueError, TypeError) as exc:
        log.warning("refund %s: no usable answer: %s", refund.out_refund_no, exc)
        return _refund_later(refund, pause(refund.query_attempts + 1))
    if result.status == RefundStatus.PROCESSING:
        return _refund_later(refund, pause(refund.query_attempts + 1))
    try:
        record_refund_result(result)
    except RefundMismatch as exc:
        log.error("refund %s: query answer not applied: %s", refund.out_refund_no, exc)
        Refund.objects.filter(pk=refund.pk).update(next_query_at=None)
        return "mismatch"
    return result.status
