"""The cashier's Native QR over the wire: the sandbox issues the code_url for the order, the
patient's phone scans and pays it, and the deposit is credited only once WeChat Pay's answer
says so (here a query's answer, as pay-core's follow-up applies it)."""

import pytest

from carebridge.billing.actions.deposits import account_for, start_window_qr
from carebridge.billing.actions.orders import Payment, record_payment
from carebridge.billing.wxpay import WxPayClient
from carebridge.sandbox.phone.views import cashier_codes
from carebridge.sandbox.wxpay import notify, transactions
from conftest import ALICE_OPENID

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]


def test_a_scanned_window_qr_credits_the_deposit_once_wechat_pay_says_so(
    merchant, alice_self, cashier
):
    account = account_for(merchant.institution, alice_self)
    window = start_window_qr(account, 50000, cashier)
    assert window.code_url.startswith("weixin://wxpay/bizpayurl?pr=")
    account.refresh_from_db()
    assert account.balance == 0
    transactions.scan_and_pay(window.code_url, ALICE_OPENID)
    answer = WxPayClient(merchant).query(window.order.out_trade_no)
    record_payment(Payment.from_transaction(answer))
    record_payment(Payment.from_transaction(answer))  # a second answer changes nothing
    account.refresh_from_db()
    assert account.balance == 50000
    [credit] = account.movements.all()
    assert (credit.kind, credit.by_user, credit.order) == ("topup_online", cashier, window.order)


def test_the_phone_simulator_lists_the_code_and_its_scanner_pays_it(
    merchant, alice_self, cashier, client
):
    from django.urls import reverse

    from carebridge.billing.models import OrderStatus

    account = account_for(merchant.institution, alice_self)
    window = start_window_qr(account, 50000, cashier)
    [listed] = cashier_codes(merchant.appid)
    assert (listed.code_url, listed.yuan) == (window.code_url, "500.00")
    # What phone.js posts for 扫码支付: the phone's account and openid, and the code.
    answer = client.post(
        reverse("sandbox:pay_scan"),
        {"account": "renai", "openid": ALICE_OPENID, "code_url": window.code_url},
    )
    assert answer.status_code == 200 and answer.json()["trade_state"] == "SUCCESS"
    assert list(cashier_codes(merchant.appid)) == []  # paid: no longer offered
    # WeChat Pay's notification (the worker's sweep delivers it) credits the deposit.
    assert notify.deliver_due() == 1
    window.order.refresh_from_db()
    assert window.order.status == OrderStatus.PAID
    account.refresh_from_db()
    assert account.balance == 50000
