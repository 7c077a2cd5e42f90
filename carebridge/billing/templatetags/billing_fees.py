"""``{% registration_fee appointment %}``: the fee's state on booking's appointment page (去支付
while its order waits, the refund's progress after a cancellation), so booking's code never
reads billing's tables."""

from django import template

from carebridge.booking.models import PaymentStatus

from ..models import OrderKind, OrderStatus

register = template.Library()


@register.inclusion_tag("billing/_appointment_fee.html", takes_context=True)
def registration_fee(context, appointment):
    """The appointment's latest fee order and its refunds: one query, two with refunds."""
    fees = appointment.orders.filter(kind=OrderKind.REGISTRATION)
    order = fees.order_by("-created_at", "-pk").first()
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
