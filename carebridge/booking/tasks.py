"""Scheduled work of the booking app (run by booking.daily: ``carebridge run_daily_jobs``) and
its outbox handler (run by ``carebridge worker``)."""

from datetime import time

from django.utils import timezone

from carebridge.outbox.registry import batch_handler

from .actions import generate_sessions, send_booking_confirmations, send_visit_reminders
from .daily import DailyJob
from .notify import CONFIRMATION_TOPIC

# Confirmations written per worker call: at release time hundreds are queued within seconds, and
# writing them together costs a few statements instead of a dozen each.
CONFIRMATION_BATCH = 50


@batch_handler(CONFIRMATION_TOPIC, size=CONFIRMATION_BATCH)
def confirm_bookings(messages):
    """The confirmations bookings queued: written once each, together
    (send_booking_confirmations)."""
    outcomes = send_booking_confirmations([m.payload["appointment_id"] for m in messages])
    return {m.id: {"confirmation": outcomes[m.payload["appointment_id"]]} for m in messages}


def _generate(now) -> str:
    return f"{len(generate_sessions(today=timezone.localtime(now).date()))} session(s) created"


def _remind(now) -> str:
    return f"{send_visit_reminders(now=now)} reminder(s) queued"


DAILY_JOBS = [
    # Well before the usual 07:00 release, so the released day's sessions exist by then.
    DailyJob("generate_sessions", time(0, 30), _generate, "sessions from templates, weeks ahead"),
    # The evening before the visit: patients can still cancel (the deadline is hours later).
    DailyJob("send_visit_reminders", time(18, 0), _remind, "the day-before reminder"),
]
