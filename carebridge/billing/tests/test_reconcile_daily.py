"""The daily job: yesterday's bill downloaded from WeChat Pay (the sandbox) after 10:00,
matched with the ledger, failures recorded and retried."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from carebridge.billing.actions.orders import Payment, open_order, record_payment
from carebridge.billing.models import (
    MismatchKind,
    OrderKind,
    ReconciliationRun,
    Refund,
    RefundStatus,
    RunStatus,
)
from carebridge.booking.daily import run_due_jobs
from carebridge.booking.models import DailyJobRun
from carebridge.sandbox.wxpay import refunds, transactions

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def paid_at_wechat(wxpay, merchant, patient, follower, total, record=True):
    order = open_order(
        institution=merchant.institution,
        patient=patient,
        follower=follower,
        kind=OrderKind.DEPOSIT,
        description="预交金充值",
        total=total,
    )
    wxpay.jsapi_prepay(
        out_trade_no=order.out_trade_no,
        description=order.description,
        total=total,
        openid=follower.openid,
    )
    transactions.pay(merchant.mchid, order.out_trade_no)
    if record:  # as the notification or the query would
        record_payment(Payment.from_transaction(wxpay.query(order.out_trade_no)))
    return order


def reconcile_job_at(now):
    return run_due_jobs(now=now, jobs=[j for j in _jobs() if j.name == "reconcile_wxpay"])


def _jobs():
    from carebridge.booking.daily import registered_jobs

    return registered_jobs()


def test_yesterdays_bill_is_matched_after_ten(wxpay, merchant, alice, alice_self, clock):
    kept = paid_at_wechat(wxpay, merchant, alice_self, alice, 50000)
    lost = paid_at_wechat(wxpay, merchant, alice_self, alice, 2000, record=False)
    refund = Refund.objects.create(
        order=kept, amount=10000, reason="出院结算", accepted_at=timezone.now()
    )
    wxpay.refund(
        out_trade_no=kept.out_trade_no,
        out_refund_no=refund.out_refund_no,
        refund=10000,
        total=50000,
    )
    refunds.settle(merchant.mchid, refund.out_refund_no)
    Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.SUCCESS)
    day = timezone.localdate()

    assert reconcile_job_at(at(day + timedelta(days=1), 9)) == {}  # not yet 10:30
    clock.advance(at(day + timedelta(days=1), 10, 31) - timezone.now())
    reconcile_job_at(timezone.now())

    run = ReconciliationRun.objects.get(merchant=merchant, bill_date=day)
    assert (run.status, run.bill_rows, run.bill_paid_total) == (RunStatus.MISMATCHED, 3, 52000)
    assert [(m.kind, m.out_trade_no, m.theirs) for m in run.mismatches.all()] == [
        (MismatchKind.MISSING_HERE, lost.out_trade_no, 2000)
    ]
    assert DailyJobRun.objects.get(job="reconcile_wxpay").failed is False


def test_a_day_without_trades_is_no_statement(merchant, clock):
    day = timezone.localdate()
    clock.advance(at(day + timedelta(days=1), 10, 31) - timezone.now())
    reconcile_job_at(timezone.now())
    assert ReconciliationRun.objects.get(bill_date=day).status == RunStatus.NO_STATEMENT


def test_a_bill_that_cannot_be_had_is_a_failed_run_retried_later(merchant, clock, settings):
    day = timezone.localdate()
    clock.advance(at(day + timedelta(days=1), 10, 31) - timezone.now())
    sandbox_base = settings.WECHATPAY_API_BASE
    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9/v3-nowhere"  # nothing listens there
    reconcile_job_at(timezone.now())
    run = ReconciliationRun.objects.get(bill_date=day)
    assert run.status == RunStatus.FAILED and "WxPayUnavailable" in run.error
    assert DailyJobRun.objects.get(job="reconcile_wxpay").failed

    settings.WECHATPAY_API_BASE = sandbox_base  # WeChat Pay answers again
    clock.advance(minutes=5)
    reconcile_job_at(timezone.now())
    job = DailyJobRun.objects.get(job="reconcile_wxpay")
    assert (job.failed, job.attempts) == (False, 2)
    assert ReconciliationRun.objects.get(bill_date=day).status == RunStatus.NO_STATEMENT
