"""Every write of the booking app, one transaction each (``@transaction.atomic``)."""

from .book import book_appointment, cancel_appointment, release_place
from .confirmations import send_booking_confirmation, send_booking_confirmations
from .queue import call_next, check_in, mark_no_show
from .quotas import set_quotas
from .reminders import send_visit_reminders
from .schedules import create_session, generate_sessions
from .suspend import announce_notice, suspend_session

__all__ = [
    "announce_notice",
    "book_appointment",
    "call_next",
    "cancel_appointment",
    "check_in",
    "create_session",
    "generate_sessions",
    "mark_no_show",
    "release_place",
    "send_booking_confirmation",
    "send_booking_confirmations",
    "send_visit_reminders",
    "set_quotas",
    "suspend_session",
]
