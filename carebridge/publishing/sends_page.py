"""What the calendar page shows of mass sends: the quota of the month of each account, and
the month's planned sends with their stage."""

from datetime import date, datetime, time

from django.utils import timezone

from carebridge.institutions.models import WeChatAccount

from .models import PlannedSend
from .quota import usage


def month_sends(institution, year: int, month: int) -> dict:
    """The accounts' quota for the month shown (today's, for a subscription account, when the
    month shown is this month) and the sends due in it."""
    first = date(year, month, 1)
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    start, end = (timezone.make_aware(datetime.combine(d, time())) for d in (first, after))
    now = timezone.now()
    at = now if start <= now < end else start
    accounts = WeChatAccount.objects.filter(institution=institution).order_by("pk")
    sends = (
        PlannedSend.objects.filter(institution=institution, due_at__gte=start, due_at__lt=end)
        .select_related("mass", "account", "plan", "institution__calendar_settings")
        .order_by("due_at", "pk")
    )
    return {
        "quotas": [(account, usage(account, at)) for account in accounts],
        "sends": [(send, *send.stage(now)) for send in sends],
    }
