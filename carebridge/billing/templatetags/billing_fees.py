"""``{% registration_fee appointment %}``: the fee's state on booking's appointment page (去支付
while its order waits, the refund's progress after a cancellation), so booking's code never
reads billing's tables."""

from django import template

from carebridge.booking.models import PaymentStatus

from ..models import OrderKind, OrderStatus

register = template.Library()


def latest_fee(appointment):
    """The appointment's latest fee order, read once per page for both tags below."""
    if not hasattr(appointment, "_latest_fee"):
        fees = appointment.orders.filter(kind=OrderKind.REGISTRATION)
        appointment._latest_fee = fees.order_by("-created_at", "-pk").first()
    return appointment._latest_fee


@register.simple_tag
def fee_payment_status(appointment) -> str:
    """The 支付状态 row: the appointment's own, except while a paid fee waits for the worker's
    follow-up (kinds.py, about half a second): the appointment still says unpaid then, and the
    row would contradict the fee section under it."""
    if appointment.payment_status == PaymentStatus.UNPAID:
        order = latest_fee(appointment)
        if order is not None and order.status == OrderStatus.PAID:
            return PaymentStatus.PAID.label
    return appointment.get_payment_status_display()


@register.inclusion_tag("billing/_appointment_fee.html", takes_context=True)
def registration_fee(context, appointment):
    """The appointment's latest fee order and its refunds: one query, two with refunds."""
    order = latest_fee(appointment)
    refunds = []
    if order is not None and order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        refunds = list(order.refunds.order_by("-created_at", "-pk"))
    return {
        "slug": context.get("slug"),
        "appointment": appointment,
        "order": order,
        "refunds": refunds,
        # Cancelled after paying, no refund recorded yet: billing will ask for it.
        "refund_due": appointment.payment_status == PaymentStatus.REFUND_DUE and not refunds,
    }
