"""The merchant client against WeChat Pay's stand-in on loopback, over the wire protocol, in
both verification modes (the ``mode`` fixture): prepay, the page's paySign, query, close."""

import base64
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from carebridge.billing.wxpay import BadSignature, UnknownSerial, WxPayClient, WxPayRefused
from carebridge.institutions.models import Institution
from carebridge.sandbox.models import SandboxPayMerchant, SandboxPayOrder
from carebridge.sandbox.wxpay import merchants, transactions
from conftest import ALICE_OPENID

# transaction=True: the parametrised ``mode`` is set up after the root conftest's cache
# clearing, which needs the database open already.
pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]


def prepay(wxpay, out_trade_no="RA20261203000001", total=1250, **fields):
    return wxpay.jsapi_prepay(
        out_trade_no=out_trade_no,
        description="仁爱医院-挂号费",
        total=total,
        openid=ALICE_OPENID,
        **fields,
    )


def test_an_order_is_placed_paid_and_queried(wxpay, merchant):
    prepay_id = prepay(wxpay, attach="appointment:42")
    assert prepay_id.startswith("wx")
    order = SandboxPayOrder.objects.get(prepay_id=prepay_id)
    assert order.notify_url == merchant.notify_url
    assert order.notify_url.endswith(f"/billing/wxpay/notify/{merchant.mchid}/")

    unpaid = wxpay.query("RA20261203000001")
    assert unpaid["trade_state"] == "NOTPAY"
    assert "transaction_id" not in unpaid

    transactions.pay(merchant.mchid, "RA20261203000001")
    paid = wxpay.query("RA20261203000001")
    assert paid["trade_state"] == "SUCCESS"
    assert paid["amount"]["total"] == paid["amount"]["payer_total"] == 1250
    assert paid["payer"]["openid"] == ALICE_OPENID
    assert paid["attach"] == "appointment:42"
    assert paid["transaction_id"]


def test_a_retried_prepay_gets_the_same_prepay_id(wxpay):
    assert prepay(wxpay) == prepay(wxpay)


def test_the_same_out_trade_no_with_another_amount_is_refused(wxpay):
    prepay(wxpay, total=1250)
    with pytest.raises(WxPayRefused) as refused:
        prepay(wxpay, total=2500)
    assert (refused.value.status, refused.value.code) == (400, "INVALID_REQUEST")


def test_an_unpaid_order_closes_and_can_no_longer_be_paid(wxpay, merchant):
    prepay(wxpay)
    assert wxpay.close("RA20261203000001") is None  # 204, signed over an empty body
    assert wxpay.query("RA20261203000001")["trade_state"] == "CLOSED"
    wxpay.close("RA20261203000001")  # closing again is harmless
    with pytest.raises(transactions.PayError):
        transactions.pay(merchant.mchid, "RA20261203000001")


def test_a_paid_order_cannot_be_closed(wxpay, merchant):
    prepay(wxpay)
    transactions.pay(merchant.mchid, "RA20261203000001")
    with pytest.raises(WxPayRefused) as refused:
        wxpay.close("RA20261203000001")
    assert refused.value.code == "ORDERPAID"


def test_an_unknown_order_is_not_found(wxpay):
    with pytest.raises(WxPayRefused) as refused:
        wxpay.query("RA_NO_SUCH_ORDER")
    assert (refused.value.status, refused.value.code) == (404, "ORDER_NOT_EXIST")


def test_the_pay_sign_verifies_with_the_merchant_key(wxpay, merchant):
    params = wxpay.jsapi_params(prepay(wxpay))
    assert params["package"].startswith("prepay_id=wx")
    assert params["signType"] == "RSA" and params["appId"] == merchant.appid
    registered = SandboxPayMerchant.objects.get(mchid=merchant.mchid)
    key = serialization.load_pem_public_key(registered.merchant_public_key.encode())
    message = "".join(f"{params[name]}\n" for name in ("appId", "timeStamp", "nonceStr", "package"))
    key.verify(  # raises if it does not verify, as WeChat's cashier would refuse
        base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_a_request_signed_with_another_key_gets_sign_error(merchant, mode):
    stranger = merchants.enroll(
        Institution.objects.create(slug="other", name="别的医院"),
        appid="wx_other_000001",
        mode=mode,
    )
    merchant.private_key = stranger.private_key  # not the key WeChat Pay has on record
    with pytest.raises(WxPayRefused) as refused:
        prepay(WxPayClient(merchant))
    assert (refused.value.status, refused.value.code) == (401, "SIGN_ERROR")
    assert not SandboxPayOrder.objects.exists()


def test_an_answer_signed_with_a_forged_key_is_refused(wxpay, merchant):
    merchants.forge_signatures(merchant.mchid)
    with pytest.raises(BadSignature):
        prepay(wxpay)


def test_an_answer_naming_a_key_the_merchant_does_not_trust_is_refused(wxpay, merchant, mode):
    other = "certificate" if mode == "public_key" else "public_key"
    merchants.set_mode(merchant.mchid, other)  # WeChat moved on, our configuration did not
    with pytest.raises(UnknownSerial):
        wxpay.query("RA20261203000001")


@pytest.mark.parametrize("total", [0, -1, 12.5, "1250", True])
def test_an_amount_that_is_not_positive_integer_fen_is_refused(wxpay, total):
    with pytest.raises(WxPayRefused) as refused:
        prepay(wxpay, total=total)
    assert (refused.value.status, refused.value.code) == (400, "PARAM_ERROR")
    assert not SandboxPayOrder.objects.exists()


@pytest.mark.parametrize(
    "expire", [timedelta(seconds=30), timedelta(days=91), None], ids=["30s", "91d", "naive"]
)
def test_a_time_expire_out_of_bounds_is_refused(wxpay, expire):
    if expire is None:
        value = "2030-01-01T10:00:00"  # no offset: not RFC 3339
    else:
        value = timezone.localtime(timezone.now() + expire).isoformat(timespec="seconds")
    with pytest.raises(WxPayRefused) as refused:
        prepay(wxpay, time_expire=value)
    assert refused.value.code == "PARAM_ERROR"


def test_time_expire_is_the_last_moment_to_pay(wxpay, merchant, clock):
    expire = timezone.localtime(timezone.now() + timedelta(minutes=15))
    prepay(wxpay, time_expire=expire.isoformat(timespec="seconds"))
    clock.advance(minutes=16)
    with pytest.raises(transactions.PayError):
        transactions.pay(merchant.mchid, "RA20261203000001")


@pytest.mark.parametrize("out_trade_no", ["RA|2026120301", "RA*2026120301", "short", "R" * 33])
def test_an_out_trade_no_that_would_travel_encoded_is_refused_before_sending(wxpay, out_trade_no):
    with pytest.raises(ValueError):
        wxpay.query(out_trade_no)
    with pytest.raises(ValueError):
        prepay(wxpay, out_trade_no=out_trade_no)
    with pytest.raises(ValueError):
        wxpay.close(out_trade_no)
    assert not SandboxPayOrder.objects.exists()
