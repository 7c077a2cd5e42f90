"""The booking confirmation, written by the worker from the row the booking queued."""

from django.db import transaction
from django.utils import timezone

from .. import notify
from ..models import Appointment


@transaction.atomic
def send_booking_confirmation(appointment_id: int, now=None) -> bool:
    """Write the "booked" template message of one appointment (quota, TemplateSend and its
    outbox row). Returns False when it was written before.

    Once per appointment: ``confirmation_sent_at`` is claimed with a conditional update in the
    same transaction as the message's rows, so a worker that runs the row again after a crash,
    or two workers at once, send it once."""
    claimed = Appointment.objects.filter(id=appointment_id, confirmation_sent_at=None).update(
        confirmation_sent_at=now or timezone.now()
    )
    if not claimed:
        return False
    appointment = Appointment.objects.select_related(
        "session__institution",
        "session__department",
        "session__doctor",
        "slot",
        "patient__owner__account",
        "booked_by__account",
    ).get(id=appointment_id)
    notify.booking_confirmed(appointment)
    return True
