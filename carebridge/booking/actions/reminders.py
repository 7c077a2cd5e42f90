"""The day-before reminder, run by cron or the worker (``manage.py send_visit_reminders``)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import notify
from ..models import Appointment, AppointmentStatus, SessionStatus


def send_visit_reminders(now=None) -> int:
    """Remind every patient booked for tomorrow; returns how many reminders were queued.

    Idempotent: each appointment's ``reminder_sent_at`` is claimed with a conditional update in
    the same transaction as its outbox row, so running twice, or twice at once, sends once."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    due = Appointment.objects.filter(
        session__date=tomorrow,
        session__status=SessionStatus.OPEN,
        status=AppointmentStatus.BOOKED,
        reminder_sent_at=None,
    ).select_related("session__department", "session__doctor", "session__institution", "slot")
    sent = 0
    for appointment in due.select_related("patient__owner__account", "booked_by__account"):
        with transaction.atomic():
            if Appointment.objects.filter(id=appointment.id, reminder_sent_at=None).update(
                reminder_sent_at=now
            ):
                notify.visit_reminder(appointment)
                sent += 1
    return sent
