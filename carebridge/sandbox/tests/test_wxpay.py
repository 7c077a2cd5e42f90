"""WeChat Pay's stand-in at the protocol level: requests it must refuse with SIGN_ERROR, and
answers that carry a verifiable platform signature — checked here with raw HTTP, not through
the merchant client (billing/tests holds the client's round trips)."""

import base64
import json

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from carebridge.billing.wxpay import WxPayClient
from carebridge.sandbox.models import SandboxPayMerchant
from carebridge.sandbox.wxpay.merchants import enroll

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/v3/pay/transactions/out-trade-no/RA20261203000001"


@pytest.fixture
def merchant(hospital, sandbox):
    return enroll(hospital, appid="wx_renai_0000001")


def get(sandbox, headers, path=PATH, query="?mchid="):
    return httpx.get(f"{sandbox.url}/sandbox/pay{path}{query}", headers=headers)


def signed_headers(merchant, path, timestamp=None):
    query = f"?mchid={merchant.mchid}"
    auth = WxPayClient(merchant).authorization("GET", path + query, "", timestamp=timestamp)
    return {"Authorization": auth}, query


def test_a_signed_request_gets_a_signed_answer(sandbox, merchant):
    headers, query = signed_headers(merchant, PATH)
    response = get(sandbox, headers, query=query)
    assert response.status_code == 404  # no such order, but a verified caller
    assert response.json()["code"] == "ORDER_NOT_EXIST"
    platform = SandboxPayMerchant.objects.get(mchid=merchant.mchid)
    assert response.headers["Wechatpay-Serial"] == platform.public_key_id
    message = "{}\n{}\n{}\n".format(
        response.headers["Wechatpay-Timestamp"], response.headers["Wechatpay-Nonce"], response.text
    )
    serialization.load_pem_public_key(merchant.public_key.encode()).verify(
        base64.b64decode(response.headers["Wechatpay-Signature"]),
        message.encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


@pytest.mark.parametrize("authorization", ["", "Bearer x", 'WECHATPAY2-SHA256-RSA2048 mchid="1"'])
def test_a_request_without_a_proper_authorization_gets_sign_error(sandbox, merchant, authorization):
    response = get(sandbox, {"Authorization": authorization})
    assert response.status_code == 401
    assert response.json()["code"] == "SIGN_ERROR"


def test_a_request_signed_over_another_path_gets_sign_error(sandbox, merchant):
    headers, query = signed_headers(merchant, PATH.replace("0001", "0002"))
    response = get(sandbox, headers, query=query)
    assert (response.status_code, response.json()["code"]) == (401, "SIGN_ERROR")


def test_a_request_with_a_tampered_body_gets_sign_error(sandbox, merchant):
    body = json.dumps({"mchid": merchant.mchid})
    path = PATH + "/close"
    auth = WxPayClient(merchant).authorization("POST", path, body)
    response = httpx.post(
        f"{sandbox.url}/sandbox/pay{path}",
        content=body.replace("}", " }"),
        headers={"Authorization": auth, "Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (401, "SIGN_ERROR")


# Half a minute past the limit: the header's whole seconds, and the time the request takes on a
# loaded machine, must not bring 301 s back under it (it did once, in CI's PostgreSQL run).
@pytest.mark.parametrize("skew", [-330, 330])
def test_a_request_more_than_five_minutes_off_gets_sign_error(sandbox, merchant, skew):
    now = int(timezone.now().timestamp())
    headers, query = signed_headers(merchant, PATH, timestamp=now + skew)
    response = get(sandbox, headers, query=query)
    assert (response.status_code, response.json()["code"]) == (401, "SIGN_ERROR")
    assert "5 分钟" in response.json()["message"]


def test_a_request_under_another_merchant_serial_gets_sign_error(sandbox, merchant):
    merchant.cert_serial_no = "0123456789ABCDEF0123456789ABCDEF01234567"
    headers, query = signed_headers(merchant, PATH)
    response = get(sandbox, headers, query=query)
    assert (response.status_code, response.json()["code"]) == (401, "SIGN_ERROR")


def test_certificate_mode_names_the_certificate_serial(sandbox, merchant):
    from carebridge.sandbox.wxpay.merchants import set_mode

    set_mode(merchant.mchid, "certificate")
    headers, query = signed_headers(merchant, PATH)
    response = get(sandbox, headers, query=query)
    serial = SandboxPayMerchant.objects.get(mchid=merchant.mchid).platform_serial
    assert response.headers["Wechatpay-Serial"] == serial
    assert not serial.startswith("PUB_KEY_ID_")
