"""Housekeeping of the patients app."""

from datetime import timedelta

from django.utils import timezone

from .models import PhoneVerification


def purge_phone_codes(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete phone codes that expired more than ``older_than`` ago (they prove nothing any
    more; the rate limits live in the cache). Returns how many went."""
    deleted, _ = PhoneVerification.objects.filter(
        expires_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
