"""Scheduled work of the booking app (run by booking.daily: ``carebridge run_daily_jobs``) and
its outbox handler (run by ``carebridge worker``)."""

from datetime import time

from django.utils import timezone

from carebridge.outbox.registry import handler

from .actions import generate_sessions, send_booking_confirmation, send_visit_reminders
from .daily import DailyJob
from .notify import CONFIRMATION_TOPIC


@handler(CONFIRMATION_TOPIC)
def confirm_booking(message):
    """The confirmation a booking queued: written once (send_booking_confirmation)."""
    written = send_booking_confirmation(message.payload["appointment_id"])
    return {"confirmation": "written" if written else "written before"}


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
