"""Scheduled work of the billing app (run by booking.daily: ``carebridge run_daily_jobs``)."""

from datetime import time, timedelta

from django.utils import timezone

from carebridge.booking.daily import DailyJob

from .actions.reconcile import BillUnavailable, reconcile_day
from .models import Merchant


def _reconcile(now) -> str:
    """Yesterday's bill of every merchant. One merchant's failure does not stop the others;
    the job then fails so that run_daily_jobs tries again (runs are idempotent)."""
    day = timezone.localtime(now).date() - timedelta(days=1)
    runs, failed = [], []
    for merchant in Merchant.objects.select_related("institution"):
        try:
            runs.append(reconcile_day(merchant, day))
        except BillUnavailable as exc:
            failed.append(str(exc))
    if failed:
        raise BillUnavailable("; ".join(failed))
    return ", ".join(f"{run.merchant.mchid} {run.get_status_display()}" for run in runs) or "-"


DAILY_JOBS = [
    # WeChat Pay has the day's bill ready after 10:00 the next morning (Beijing time).
    DailyJob("reconcile_wxpay", time(10, 30), _reconcile, "yesterday's WeChat Pay trade bill"),
]
