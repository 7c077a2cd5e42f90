"""The registration fee paid at booking (kind REGISTRATION): what its payment, its close and
its refund do to the appointment. The order is opened by booking's one booking path
(``booking.actions.book.open_fee_order``) for sessions whose ``fee_payment`` is at booking.

- Paid: the order is paid at once; the worker's follow-up, moments later, marks the appointment
  paid and queues its "预约成功" confirmation (not at booking); if the appointment was
  cancelled first (the patient, or the deadline's close, won the race), the fee goes back in
  full.
- Closed unpaid at the deadline: the appointment is cancelled (its place back to its pool)
  and the patient told, through booking's own cancel action.
- Cancelled after paying: booking marks it ``refund_due`` and sends ``refund_requested``; the
  fee is refunded in full, and the appointment is ``refunded`` once WeChat Pay says so."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carebridge.booking.actions import cancel_appointment
from carebridge.booking.errors import BookingError
from carebridge.booking.models import (
    HOLDING,
    Appointment,
    AppointmentStatus,
    CancelledBy,
    PaymentStatus,
)
from carebridge.booking.notify import CONFIRMATION_TOPIC
from carebridge.booking.signals import refund_requested
from carebridge.outbox.actions import enqueue_once

from .actions.refunds import request_refund
from .errors import RefundRefused
from .kinds import on_closed, on_paid, on_refunded
from .models import Order, OrderKind, OrderStatus
from .models.refunds import COMMITTED

log = logging.getLogger("carebridge.billing")
# How long a cancellation's own signal has to ask for its refund before the sweep asks instead.
SIGNAL_GRACE = timedelta(minutes=5)


def _reason(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # stored, and read by staff, in Chinese
        return str(text)


@on_paid(OrderKind.REGISTRATION, in_worker=True)
def fee_paid(order: Order) -> None:
    """In the worker, after the payment's commit (kinds.py): the holding, unpaid appointment
    becomes paid (a conditional update: a cancellation racing the payment is seen either way)
    and its confirmation is queued once; if it was cancelled before, the fee is refunded in
    full. Run again, it finds the appointment paid (or the refund asked for) and does nothing.

    While this waits the order is paid, so the deadline's sweep (checks.py), which closes
    only pending orders, cannot cancel the appointment; a patient who cancels meanwhile is
    refunded here."""
    paid = Appointment.objects.filter(
        pk=order.appointment_id, status__in=HOLDING, payment_status=PaymentStatus.UNPAID
    ).update(payment_status=PaymentStatus.PAID)
    if paid:
        # The worker writes "预约成功" from this row, once (confirmation_sent_at).
        enqueue_once(
            CONFIRMATION_TOPIC,
            {"appointment_id": order.appointment_id},
            dedup_key=f"{CONFIRMATION_TOPIC}:{order.appointment_id}",
        )
        return
    # Not paid now: paid by an earlier run of this follow-up (and perhaps cancelled since, when
    # the cancellation asked for the refund), or cancelled before the payment came: refunded.
    Appointment.objects.filter(pk=order.appointment_id, payment_status=PaymentStatus.UNPAID).update(
        payment_status=PaymentStatus.REFUND_DUE
    )
    if Appointment.objects.filter(
        pk=order.appointment_id, payment_status=PaymentStatus.REFUND_DUE
    ).exists():
        remainder = order.refundable()
        if remainder <= 0:
            return
        try:
            request_refund(order, remainder, _reason(_("预约已取消,挂号费全额退还")))
        except RefundRefused as exc:  # the cancellation's own refund came first
            log.info("fee order %s: refund already asked for: %s", order.out_trade_no, exc)


@on_closed(OrderKind.REGISTRATION)
def fee_unpaid(order: Order) -> None:
    """In the close's transaction: the appointment still waiting for its fee is cancelled, its
    place back to its pool, and the patient told (booking's cancellation message)."""
    appointment = (
        Appointment.objects.select_related("session__institution", "session__department")
        .filter(pk=order.appointment_id, payment_status=PaymentStatus.UNPAID)
        .first()
    )
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return  # cancelled already (the close followed a cancellation), or checked in
    try:
        cancel_appointment(
            appointment, by=CancelledBy.UNPAID, reason=_reason(_("未在支付期限内缴纳挂号费"))
        )
    except BookingError as exc:  # checked in meanwhile: the fee is taken at the window
        log.info(
            "fee order %s closed; appointment %s kept: %s",
            order.out_trade_no,
            order.appointment_id,
            exc,
        )


@on_refunded(OrderKind.REGISTRATION)
def fee_refunded(refund) -> None:
    """The whole fee is back with the patient: the appointment is ``refunded``."""
    order = refund.order
    if order.status == OrderStatus.REFUNDED:
        Appointment.objects.filter(
            pk=order.appointment_id, payment_status=PaymentStatus.REFUND_DUE
        ).update(payment_status=PaymentStatus.REFUNDED)


@receiver(refund_requested)
def refund_cancelled_fee(sender, appointment_id: int, **kwargs) -> None:
    """After a cancellation's commit: refund the paid fee in full (what is still refundable,
    so a second signal refunds nothing)."""
    order = Order.objects.filter(
        appointment_id=appointment_id, kind=OrderKind.REGISTRATION, status=OrderStatus.PAID
    ).first()
    if order is None:
        return
    with transaction.atomic():
        remainder = order.refundable()
        if remainder <= 0:
            return
        try:
            request_refund(order, remainder, _reason(_("取消预约,挂号费全额退还")))
        except RefundRefused as exc:
            log.error("appointment %s: fee refund refused: %s", appointment_id, exc)


def refund_forgotten_fees(limit: int) -> int:
    """Fees owed back whose refund was never asked for: the process died between the
    cancellation's commit and its ``refund_requested`` signal, so the appointment says
    ``refund_due`` and its paid order has no refund under way. Asked for now (the worker's
    sweep), once the signal has had SIGNAL_GRACE; returns how many refunds were asked for."""
    forgotten = (
        Order.objects.filter(
            kind=OrderKind.REGISTRATION,
            status=OrderStatus.PAID,
            appointment__payment_status=PaymentStatus.REFUND_DUE,
            appointment__cancelled_at__lt=timezone.now() - SIGNAL_GRACE,
        )
        .exclude(refunds__status__in=COMMITTED)
        .values_list("pk", "appointment_id")[:limit]
    )
    asked = 0
    for order_pk, appointment_id in forgotten:
        refund_cancelled_fee(None, appointment_id)
        asked += Order.objects.filter(pk=order_pk, refunds__status__in=COMMITTED).exists()
    return asked
