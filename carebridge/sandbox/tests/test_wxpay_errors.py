"""Bad input to the sandbox's WeChat Pay, sent raw but properly signed (so the refusal is the
input's, not the signature's): a WeChat-style 4xx ``{"code", "message"}`` naming the field,
signed like any answer, never a 500 — on SQLite and on PostgreSQL, which refuses NUL
characters and integers past its columns where SQLite would take them."""

import json
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from carebridge.billing.wxpay import WxPayClient
from carebridge.sandbox.models import SandboxPayBill, SandboxPayOrder
from carebridge.sandbox.wxpay import transactions
from carebridge.sandbox.wxpay.merchants import enroll
from conftest import ALICE_OPENID

pytestmark = pytest.mark.django_db(transaction=True)
JSAPI = "/v3/pay/transactions/jsapi"
REFUNDS = "/v3/refund/domestic/refunds"


@pytest.fixture
def merchant(hospital, sandbox):
    return enroll(hospital, appid="wx_renai_0000001")


@pytest.fixture
def call(merchant, sandbox):
    """``call(method, path, body)``: a request signed by the merchant, its answer (verified)."""
    client = WxPayClient(merchant)

    def call(method, path, body=""):
        if not isinstance(body, str):
            body = json.dumps(body, ensure_ascii=False)
        headers = {"Authorization": client.authorization(method, path, body)}
        if body:
            headers["Content-Type"] = "application/json"
        response = httpx.request(
            method, f"{sandbox.url}/sandbox/pay{path}", content=body.encode(), headers=headers
        )
        if response.headers.get("Wechatpay-Signature"):
            client.verify_signature(response.headers, response.text)
        return response

    return call


def order_body(merchant, **changes):
    body = {
        "appid": merchant.appid,
        "mchid": merchant.mchid,
        "description": "仁爱医院-挂号费",
        "out_trade_no": "RA20261203000001",
        "notify_url": merchant.notify_url,
        "amount": {"total": 1250, "currency": "CNY"},
        "payer": {"openid": ALICE_OPENID},
    }
    for name, value in changes.items():
        if value is None:
            body.pop(name)
        else:
            body[name] = value
    return body


def refused(response, status, code, names=""):
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["code"] == code
    assert names in answer["message"]
    return answer


@pytest.mark.parametrize(
    "changes, names",
    [
        ({"description": None}, "description"),
        ({"description": "长" * 128}, "description"),
        ({"out_trade_no": 20261203000001}, "out_trade_no"),
        ({"amount": "1250"}, "amount.total"),
        ({"amount": {"total": 2**31}}, "amount.total"),
        ({"amount": {"total": 1250, "currency": "USD"}}, "amount.currency"),
        ({"payer": {"openid": "o" * 129}}, "payer.openid"),
        ({"payer": []}, "payer.openid"),
        ({"time_expire": 1733212800}, "time_expire"),
        ({"attach": {"k": "v"}}, "attach"),
        ({"notify_url": None}, "notify_url"),
        ({"description": "挂号\x00费"}, "非法字符"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_order_field_is_a_param_error_naming_it(call, merchant, changes, names):
    refused(call("POST", JSAPI, order_body(merchant, **changes)), 400, "PARAM_ERROR", names)
    assert not SandboxPayOrder.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "[" * 100_000, ""])
def test_a_body_that_is_not_a_json_object_is_a_param_error(call, body):
    refused(call("POST", JSAPI, body), 400, "PARAM_ERROR")


def test_an_order_of_another_appid_is_refused(call, merchant):
    refused(
        call("POST", JSAPI, order_body(merchant, appid="wx_other")), 400, "APPID_MCHID_NOT_MATCH"
    )


def test_the_wrong_method_is_an_invalid_request(call):
    refused(call("GET", JSAPI), 405, "INVALID_REQUEST")


def test_unknown_orders_and_refunds_are_not_found(call, merchant):
    path = f"/v3/pay/transactions/out-trade-no/RA_NO_SUCH?mchid={merchant.mchid}"
    refused(call("GET", path), 404, "ORDER_NOT_EXIST")
    refused(call("GET", f"{REFUNDS}/RF_NO_SUCH"), 404, "RESOURCE_NOT_EXISTS")
    body = {
        "out_trade_no": "RA_NO_SUCH",
        "out_refund_no": "RF1",
        "amount": {"refund": 1, "total": 1},
    }
    refused(call("POST", REFUNDS, body), 404, "RESOURCE_NOT_EXISTS")


def test_a_nul_in_the_path_is_a_param_error(call):
    refused(call("GET", f"{REFUNDS}/RF%00X"), 400, "PARAM_ERROR")


def test_query_and_close_must_name_the_merchant(call):
    refused(
        call("GET", "/v3/pay/transactions/out-trade-no/RA20261203000001"),
        400,
        "PARAM_ERROR",
        "mchid",
    )
    path = "/v3/pay/transactions/out-trade-no/RA20261203000001/close"
    refused(call("POST", path, {}), 400, "PARAM_ERROR", "mchid")


@pytest.fixture
def paid(merchant):
    SandboxPayOrder.objects.create(
        mchid=merchant.mchid,
        appid=merchant.appid,
        out_trade_no="RA20261203000001",
        prepay_id="wx03000000000000000000000000000001",
        description="仁爱医院-挂号费",
        total=1250,
        openid=ALICE_OPENID,
        notify_url=merchant.notify_url,
        time_expire=timezone.now() + timedelta(minutes=30),
    )
    return transactions.pay(merchant.mchid, "RA20261203000001")


def refund_body(**changes):
    body = {
        "out_trade_no": "RA20261203000001",
        "out_refund_no": "RF20261203000001",
        "amount": {"refund": 1250, "total": 1250, "currency": "CNY"},
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


@pytest.mark.parametrize(
    "changes, names",
    [
        ({"out_refund_no": None}, "out_refund_no"),
        ({"out_refund_no": "RF 1"}, "out_refund_no"),
        ({"out_refund_no": "R" * 65}, "out_refund_no"),
        ({"out_trade_no": None}, "transaction_id"),
        ({"reason": "因" * 81}, "reason"),
        ({"notify_url": ["x"]}, "notify_url"),
        ({"amount": None}, "amount"),
        ({"amount": {"refund": "12.50", "total": 1250}}, "amount.refund"),
        ({"amount": {"refund": 1250}}, "amount.total"),
        ({"amount": {"refund": 2**40, "total": 1250}}, "amount.refund"),
        ({"amount": {"refund": 1, "total": 1250, "currency": "HKD"}}, "amount.currency"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_refund_field_is_a_param_error_naming_it(call, paid, changes, names):
    refused(call("POST", REFUNDS, refund_body(**changes)), 400, "PARAM_ERROR", names)


def test_a_refund_of_another_total_is_an_invalid_request(call, paid):
    body = refund_body(amount={"refund": 100, "total": 2500})
    refused(call("POST", REFUNDS, body), 400, "INVALID_REQUEST", "amount.total")


def test_a_refund_after_a_year_is_an_invalid_request(call, paid):
    SandboxPayOrder.objects.update(success_time=timezone.now() - timedelta(days=366))
    refused(call("POST", REFUNDS, refund_body()), 400, "INVALID_REQUEST", "一年")


@pytest.mark.parametrize(
    "query, names",
    [
        ("bill_type=ALL", "bill_date"),
        ("bill_date=2026-02-30", "bill_date"),
        ("bill_date=2026/12/01", "bill_date"),
        ("bill_date=2025-01-01", "三个月"),
        ("bill_date={day}&bill_type=SUCCESS", "bill_type"),
        ("bill_date={day}&tar_type=ZIP", "tar_type"),
    ],
)
def test_a_bad_bill_request_is_a_param_error(call, query, names):
    query = query.format(day=timezone.localdate() - timedelta(days=2))
    refused(call("GET", f"/v3/bill/tradebill?{query}"), 400, "PARAM_ERROR", names)


def test_a_bill_link_is_good_for_30_seconds_and_for_its_merchant_only(call, merchant, hospital):
    SandboxPayBill.objects.create(
        mchid=merchant.mchid,
        token="t1",
        content=b"x",
        expires_at=timezone.now() + timedelta(seconds=30),
    )
    SandboxPayBill.objects.create(
        mchid=merchant.mchid,
        token="t2",
        content=b"x",
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    SandboxPayBill.objects.create(
        mchid="1900000000",
        token="t3",
        content=b"x",
        expires_at=timezone.now() + timedelta(seconds=30),
    )
    assert call("GET", "/v3/billdownload/file?token=t1").content == b"x"
    for token in ("t2", "t3", "nope"):
        refused(call("GET", f"/v3/billdownload/file?token={token}"), 400, "INVALID_REQUEST")
