"""Native orders (the cashier's QR code) through the merchant client, and the sandbox's phone
scanning and paying the code_url."""

import httpx
import pytest

from carebridge.billing.wxpay import WxPayRefused
from carebridge.sandbox.models import SandboxPayNotification
from carebridge.sandbox.wxpay import transactions
from conftest import ALICE_OPENID

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]
ORDER = "DP20261203000001"


def native(wxpay, total=500000, **fields):
    return wxpay.native_prepay(
        out_trade_no=ORDER, description="仁爱医院-预交金", total=total, **fields
    )


def test_a_native_order_gets_a_code_url_and_the_same_one_on_retry(wxpay):
    code_url = native(wxpay)
    assert code_url.startswith("weixin://wxpay/bizpayurl?pr=")
    assert native(wxpay) == code_url
    unpaid = wxpay.query(ORDER)
    assert (unpaid["trade_type"], unpaid["trade_state"]) == ("NATIVE", "NOTPAY")
    assert "payer" not in unpaid


def test_scanning_the_code_pays_it_and_queues_the_notification(wxpay, pay_sandbox):
    code_url = native(wxpay, attach="deposit:3")
    response = httpx.post(
        f"{pay_sandbox.url}/sandbox/pay/scan", json={"code_url": code_url, "openid": ALICE_OPENID}
    )
    assert response.status_code == 200
    assert response.json() == {"out_trade_no": ORDER, "trade_state": "SUCCESS"}
    paid = wxpay.query(ORDER)
    assert paid["trade_state"] == "SUCCESS" and paid["payer"]["openid"] == ALICE_OPENID
    assert paid["amount"]["payer_total"] == 500000
    note = SandboxPayNotification.objects.get()
    assert note.event_type == "TRANSACTION.SUCCESS" and note.attempts == 0


def test_a_code_is_paid_once(wxpay):
    code_url = native(wxpay)
    transactions.scan_and_pay(code_url, ALICE_OPENID)
    with pytest.raises(transactions.PayError) as refused:
        transactions.scan_and_pay(code_url, "someone_else")
    assert refused.value.code == "ORDERPAID"
    assert SandboxPayNotification.objects.count() == 1


def test_the_same_out_trade_no_as_a_jsapi_order_is_refused(wxpay):
    native(wxpay, total=1250)
    with pytest.raises(WxPayRefused) as refused:
        wxpay.jsapi_prepay(
            out_trade_no=ORDER, description="仁爱医院-预交金", total=1250, openid=ALICE_OPENID
        )
    assert refused.value.code == "INVALID_REQUEST"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"code_url": "https://example.com/pay", "openid": ALICE_OPENID}, 400, "PARAM_ERROR"),
        ({"code_url": "weixin://wxpay/bizpayurl?pr=nope"}, 400, "PARAM_ERROR"),
        ({"code_url": "weixin://wxpay/bizpayurl?pr=nope", "openid": "x"}, 404, "ORDER_NOT_EXIST"),
        ("[1, 2]", 400, "PARAM_ERROR"),
        ("{not json", 400, "PARAM_ERROR"),
    ],
    ids=["foreign-url", "no-openid", "unknown-code", "not-an-object", "not-json"],
)
def test_the_scanner_refuses_bad_input_with_4xx(pay_sandbox, body, status, code):
    url = f"{pay_sandbox.url}/sandbox/pay/scan"
    if isinstance(body, dict):
        response = httpx.post(url, json=body)
    else:
        response = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_the_scanner_takes_a_form_post_and_refuses_get(wxpay, pay_sandbox):
    code_url = native(wxpay)
    url = f"{pay_sandbox.url}/sandbox/pay/scan"
    assert httpx.get(url).status_code == 405
    response = httpx.post(url, data={"code_url": code_url, "openid": ALICE_OPENID})
    assert response.json()["trade_state"] == "SUCCESS"
