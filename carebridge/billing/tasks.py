"""The billing app's background work. Run by ``carebridge worker``: refund submissions (outbox
rows written by ``request_refund``), the sweep that follows up payments (the on_paid of kinds
that run it in the worker) and the sweeps that query orders and refunds whose notification has
not come (actions/checks.py). Run by ``carebridge run_daily_jobs``: the reconciliation of
yesterday's WeChat Pay trade bill."""

from datetime import time, timedelta

from django.utils import timezone

from carebridge.booking.daily import DailyJob
from carebridge.outbox.registry import GiveUp, RetryLater, handler, sweep

from .actions.checks import check_due_orders, check_due_refunds
from .actions.orders import follow_up_payments
from .actions.reconcile import BillUnavailable, reconcile_day
from .actions.refunds import SUBMIT_TOPIC, submit_refund
from .models import Merchant
from .registration import refund_forgotten_fees
from .wxpay import NotTrusted, WxPayRefused, WxPayUnavailable

# Orders and refunds checked per sweep pass: each is one or two calls to WeChat Pay.
CHECK_BATCH = 20
# Payments followed up per sweep pass: each in a transaction of its own, a few statements.
FOLLOW_UP_BATCH = 50
# WeChat Pay's refusals worth retrying: busy, rate-limited, the merchant's balance short.
PASSING = {"SYSTEM_ERROR", "FREQUENCY_LIMITED", "NOT_ENOUGH", "USER_ACCOUNT_ABNORMAL_RETRY"}


@sweep("billing.follow_up_payments", batch=FOLLOW_UP_BATCH)
def follow_up(limit: int) -> int:
    return follow_up_payments(limit)


@handler(SUBMIT_TOPIC)
def submit(message):
    """Submit one refund, with its own out_refund_no on every try. An unknown outcome (no
    answer) is retried; a refusal that will not pass fails the row with a staff alert, and the
    refund stays PENDING, its amount held, until staff deal with it."""
    try:
        return submit_refund(message.payload["refund"])
    except (WxPayUnavailable, NotTrusted) as exc:
        raise RetryLater(str(exc)) from exc
    except WxPayRefused as exc:
        if exc.status >= 500 or exc.code in PASSING:
            raise RetryLater(str(exc)) from exc
        raise GiveUp(str(exc)) from exc


@sweep("billing.check_orders", batch=CHECK_BATCH)
def check_orders(limit: int) -> int:
    return check_due_orders(limit)


@sweep("billing.check_refunds", batch=CHECK_BATCH)
def check_refunds(limit: int) -> int:
    return check_due_refunds(limit)


@sweep("billing.refund_forgotten_fees", batch=CHECK_BATCH)
def refund_forgotten(limit: int) -> int:
    return refund_forgotten_fees(limit)


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
