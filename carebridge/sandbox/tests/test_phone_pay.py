"""The phone's pay sheet: a page's getBrandWCPayRequest is checked as WeChat checks it (the
paySign with the merchant's registered key, the payer, the order's state), the sheet shows the
sandbox's own amount, and 确认支付 pays the order at the sandbox's WeChat Pay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.billing.wxpay import WxPayClient
from carebridge.sandbox.models import SandboxPayOrder
from carebridge.sandbox.phone.identity import app_id_of
from carebridge.sandbox.wxpay.merchants import enroll

from .phone_helpers import new_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant(account):
    return enroll(account.institution, appid=app_id_of(account))


@pytest.fixture
def user(client, account):
    return new_user(client, account, subscribed=True)


def placed(merchant, user, total=1250, **fields):
    """A JSAPI order as the sandbox's jsapi view stores it."""
    fields.setdefault("time_expire", timezone.now() + timedelta(minutes=15))
    return SandboxPayOrder.objects.create(
        mchid=merchant.mchid,
        appid=merchant.appid,
        out_trade_no=fields.pop("out_trade_no", "CB20261203AAAAAAAAAAAAAAAA"),
        prepay_id=fields.pop("prepay_id", "wx03100000aaaaaaaaaaaaaaaaaaaaaaaaaa"),
        description="仁爱医院-心内科挂号费",
        total=total,
        openid=fields.pop("openid", user.openid),
        notify_url=merchant.notify_url,
        **fields,
    )


def pay(client, account, user, step, params):
    return client.post(
        f"/sandbox/phone/pay/{step}", {"account": account.slug, "openid": user.openid, **params}
    )


def params_for(merchant, order) -> dict:
    return WxPayClient(merchant).jsapi_params(order.prepay_id)


def test_the_sheet_shows_the_sandboxs_amount_and_the_merchant(client, account, merchant, user):
    order = placed(merchant, user, total=1250)
    response = pay(client, account, user, "sheet", params_for(merchant, order))
    assert response.status_code == 200
    assert response.json() == {
        "merchant": "仁爱医院",
        "description": "仁爱医院-心内科挂号费",
        "total": 1250,
        "amount": "12.50",
    }
    order.refresh_from_db()
    assert order.trade_state == "NOTPAY"  # showing the sheet pays nothing


def test_confirming_pays_the_order_once(client, account, merchant, user):
    order = placed(merchant, user)
    params = params_for(merchant, order)
    assert pay(client, account, user, "confirm", params).json() == {"ok": True}
    order.refresh_from_db()
    assert order.trade_state == "SUCCESS" and order.transaction_id.startswith("42")
    again = pay(client, account, user, "confirm", params)
    assert again.status_code == 400 and again.json()["err_code"] == "ORDERPAID"


@pytest.mark.parametrize("field", ["paySign", "timeStamp", "nonceStr"])
def test_a_bad_pay_sign_is_refused_and_pays_nothing(client, account, merchant, user, field):
    order = placed(merchant, user)
    params = params_for(merchant, order)
    params[field] = "A" * 344 if field == "paySign" else params[field] + "0"
    for step in ("sheet", "confirm"):
        response = pay(client, account, user, step, params)
        assert response.status_code == 400 and response.json()["err_code"] == "SIGN_ERROR"
    order.refresh_from_db()
    assert order.trade_state == "NOTPAY"


def test_a_pay_sign_by_another_merchants_key_is_refused(client, account, merchant, user):
    order = placed(merchant, user)
    stranger = enroll(account.institution.__class__.objects.create(slug="x", name="X"), "wxother")
    params = WxPayClient(stranger).jsapi_params(order.prepay_id)
    params["appId"] = merchant.appid
    response = pay(client, account, user, "confirm", params)
    assert response.json()["err_code"] == "SIGN_ERROR"


def test_someone_elses_order_is_refused(client, account, merchant, user):
    order = placed(merchant, user, openid="o_someone_else_000000000000")
    response = pay(client, account, user, "confirm", params_for(merchant, order))
    assert response.status_code == 403 and response.json()["err_code"] == "NO_AUTH"
    order.refresh_from_db()
    assert order.trade_state == "NOTPAY"


@pytest.mark.parametrize(
    "fields", [{"trade_state": "CLOSED"}, {"time_expire": timezone.now() - timedelta(seconds=1)}]
)
def test_a_closed_or_expired_order_cannot_be_paid(client, account, merchant, user, fields):
    order = placed(merchant, user, **fields)
    response = pay(client, account, user, "sheet", params_for(merchant, order))
    assert response.status_code == 400 and response.json()["err_code"] == "ORDER_CLOSED"


def test_an_unknown_prepay_id_is_refused(client, account, merchant, user):
    order = placed(merchant, user)
    params = params_for(merchant, order)
    order.delete()
    response = pay(client, account, user, "sheet", params)
    assert response.status_code == 400 and "prepay_id" in response.json()["error"]


@pytest.mark.parametrize("missing", ["appId", "package", "paySign", "signType"])
def test_a_missing_parameter_is_named(client, account, merchant, user, missing):
    params = params_for(merchant, placed(merchant, user))
    del params[missing]
    response = pay(client, account, user, "sheet", params)
    assert response.status_code == 400 and missing in response.json()["error"]


def test_another_accounts_app_id_is_refused(client, account, merchant, user):
    params = params_for(merchant, placed(merchant, user))
    params["appId"] = "wx0000000000000000"
    response = pay(client, account, user, "sheet", params)
    assert response.status_code == 400 and "appId" in response.json()["error"]


def test_the_phone_page_carries_the_sheet_and_its_urls(client, account, user):
    html = client.get(f"/sandbox/?account={account.slug}").content.decode()
    assert 'id="pay-sheet"' in html and "确认支付" in html and "取消" in html
    assert "/sandbox/phone/pay/sheet" in html and "/sandbox/phone/pay/confirm" in html
