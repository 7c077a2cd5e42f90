"""The day's trade bill through the merchant client against the sandbox: applied for,
downloaded gzipped, its SHA-1 checked, and read by billing/tradebill.py."""

import gzip
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from carebridge.billing import tradebill
from carebridge.billing.wxpay import BillCorrupted, NoStatement, WxPayRefused
from carebridge.sandbox.wxpay import bills, refunds, transactions
from conftest import ALICE_OPENID

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(wxpay, merchant, clock):
    """Two payments and a partial refund today; then the clock moves to 10:00 tomorrow
    (Asia/Shanghai), when WeChat Pay has the day's bill."""
    for number, total in (("RA20261203000001", 1250), ("RA20261203000002", 23680)):
        wxpay.jsapi_prepay(
            out_trade_no=number, description="仁爱医院-门诊缴费", total=total, openid=ALICE_OPENID
        )
        transactions.pay(merchant.mchid, number)
    wxpay.refund(
        out_trade_no="RA20261203000002", out_refund_no="RF20261203000001", refund=10000, total=23680
    )
    refunds.settle(merchant.mchid, "RF20261203000001")
    today = timezone.localdate()
    clock.advance(at(today + timedelta(days=1), 10) - timezone.now())
    return today


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_the_bill_is_downloaded_checked_and_read(wxpay, merchant, day):
    bill = tradebill.parse(wxpay.trade_bill(day))
    assert [(row.trade_state, row.out_trade_no) for row in bill.rows] == [
        ("SUCCESS", "RA20261203000001"),
        ("SUCCESS", "RA20261203000002"),
        ("REFUND", "RA20261203000002"),
    ]
    assert all(row.mchid == merchant.mchid and row.appid == merchant.appid for row in bill.rows)
    refund = bill.rows[2]
    assert (refund.out_refund_no, refund.refund, refund.refund_state) == (
        "RF20261203000001",
        10000,
        "SUCCESS",
    )
    assert (bill.summary.count, bill.summary.total, bill.summary.refund) == (3, 24930, 10000)


def test_a_day_without_trades_has_no_statement(wxpay, day):
    with pytest.raises(NoStatement) as refused:
        wxpay.trade_bill(day - timedelta(days=1))
    assert (refused.value.status, refused.value.code) == (400, "NO_STATEMENT_EXIST")


def test_today_has_no_bill_yet(wxpay, day):
    with pytest.raises(WxPayRefused) as refused:
        wxpay.trade_bill(timezone.localdate())
    assert refused.value.code == "PARAM_ERROR"


def test_yesterdays_bill_before_nine_is_still_being_made(wxpay, day, clock):
    clock.advance(at(day + timedelta(days=1), 8) - timezone.now())
    with pytest.raises(WxPayRefused) as refused:
        wxpay.trade_bill(day)
    assert refused.value.code == "STATEMENT_CREATING"


def test_a_bill_whose_hash_does_not_match_is_refused(wxpay, day, monkeypatch):
    tampered = SimpleNamespace(compress=lambda raw: gzip.compress(raw.replace(b"`1", b"`7")))
    monkeypatch.setattr(bills, "gzip", tampered)
    with pytest.raises(BillCorrupted, match="SHA-1"):
        wxpay.trade_bill(day)


def test_a_bill_that_does_not_gunzip_is_refused(wxpay, day, monkeypatch):
    monkeypatch.setattr(bills, "gzip", SimpleNamespace(compress=lambda raw: raw))
    with pytest.raises(BillCorrupted, match="gunzip"):
        wxpay.trade_bill(day)


@pytest.mark.parametrize("bill_date", ["2026-13-01", "20261203", "yesterday"])
def test_a_malformed_date_is_refused_before_sending(wxpay, bill_date):
    with pytest.raises(ValueError):
        wxpay.trade_bill(bill_date)
