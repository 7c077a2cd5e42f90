"""Housekeeping of the patients app (run daily by booking.daily: ``carebridge run_daily_jobs``,
or on its own: ``carebridge purge_phone_codes``)."""

from datetime import time, timedelta

from django.utils import timezone

from carebridge.booking.daily import DailyJob

from .models import PhoneVerification


def purge_phone_codes(older_than: timedelta = timedelta(days=1), now=None) -> int:
    """Delete phone codes that expired more than ``older_than`` ago (they prove nothing any
    more; the rate limits live in the cache). Returns how many went."""
    now = now or timezone.now()
    deleted, _ = PhoneVerification.objects.filter(expires_at__lt=now - older_than).delete()
    return deleted


DAILY_JOBS = [
    DailyJob(
        "purge_phone_codes",
        time(3, 30),
        lambda now: f"{purge_phone_codes(now=now)} code(s) deleted",
        "expired phone verification codes",
    ),
]
