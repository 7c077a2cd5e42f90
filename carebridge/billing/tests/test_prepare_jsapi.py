"""prepare_jsapi against WeChat Pay's stand-in on loopback, in both verification modes: one
prepay per order, reused while WeChat keeps it; every refusal a message for the page; nothing
marked paid."""

import base64
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone

from carebridge.billing.actions.payments import PayNotPossible, prepare_jsapi
from carebridge.billing.models import Order, OrderStatus
from carebridge.sandbox.models import SandboxPayMerchant, SandboxPayOrder
from carebridge.sandbox.wxpay import transactions
from conftest import ALICE_OPENID

from .helpers import order

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fee(merchant, alice_self):
    return order(alice_self, total=1250, description="仁爱医院-心内科挂号费", minutes=180)


def verifies(merchant, params) -> bool:
    registered = SandboxPayMerchant.objects.get(mchid=merchant.mchid)
    key = serialization.load_pem_public_key(registered.merchant_public_key.encode())
    message = "".join(f"{params[name]}\n" for name in ("appId", "timeStamp", "nonceStr", "package"))
    key.verify(
        base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return True


def test_it_places_the_order_at_wechat_pay_as_the_server_has_it(merchant, fee):
    params = prepare_jsapi(fee)
    placed = SandboxPayOrder.objects.get(out_trade_no=fee.out_trade_no)
    assert params["package"] == f"prepay_id={placed.prepay_id}" and params["signType"] == "RSA"
    assert params["appId"] == merchant.appid and verifies(merchant, params)
    assert (placed.total, placed.openid, placed.description) == (
        1250,
        ALICE_OPENID,
        fee.description,
    )
    assert placed.time_expire == fee.expires_at.replace(microsecond=0)
    assert datetime.fromisoformat(placed.request["time_expire"]).utcoffset() == timedelta(hours=8)
    fee.refresh_from_db()
    assert fee.prepay_id == placed.prepay_id and fee.status == OrderStatus.PENDING
    assert fee.prepay_expires_at > timezone.now() + timedelta(minutes=119)


def test_a_second_visit_reuses_the_prepay_without_asking_wechat_pay(merchant, fee, monkeypatch):
    first = prepare_jsapi(fee)
    from carebridge.billing.wxpay import WxPayClient

    def no_call(*args, **kwargs):
        raise AssertionError("prepay again")

    monkeypatch.setattr(WxPayClient, "jsapi_prepay", no_call)
    again = prepare_jsapi(fee)
    assert again["package"] == first["package"] and verifies(merchant, again)
    assert again["nonceStr"] != first["nonceStr"]  # signed afresh for each page


def test_a_lapsed_prepay_is_asked_for_again_with_the_same_request(merchant, fee, clock):
    first = prepare_jsapi(fee)
    clock.advance(minutes=115)  # within ten minutes of WeChat dropping it
    again = prepare_jsapi(fee)
    # The same request: WeChat Pay does not take it for a second order with the same number.
    assert again["package"] == first["package"]
    assert SandboxPayOrder.objects.filter(out_trade_no=fee.out_trade_no).count() == 1
    fee.refresh_from_db()
    assert fee.prepay_expires_at > timezone.now() + timedelta(minutes=119)


@pytest.mark.parametrize(
    "status, words",
    [
        (OrderStatus.PAID, "已支付"),
        (OrderStatus.CLOSED, "已关闭"),
        (OrderStatus.REFUNDED, "已关闭"),
    ],
)
def test_an_order_no_longer_waiting_is_not_placed(merchant, alice_self, status, words):
    done = order(alice_self, status=status)
    with pytest.raises(PayNotPossible, match=words) as refused:
        prepare_jsapi(done)
    assert not refused.value.retry and not SandboxPayOrder.objects.exists()


def test_an_order_past_its_deadline_is_not_placed(merchant, fee, clock):
    clock.advance(minutes=180)
    with pytest.raises(PayNotPossible, match="截止"):
        prepare_jsapi(fee)
    assert not SandboxPayOrder.objects.exists()


def test_an_order_taken_at_the_window_has_no_phone_to_pay_on(merchant, alice_self):
    at_window = order(alice_self, follower=None)
    with pytest.raises(PayNotPossible, match="收费窗口"):
        prepare_jsapi(at_window)


def test_paid_at_wechat_pay_is_confirming_not_paid(merchant, fee):
    prepare_jsapi(fee)
    transactions.pay(merchant.mchid, fee.out_trade_no)
    Order.objects.filter(pk=fee.pk).update(prepay_id="", prepay_expires_at=None)
    with pytest.raises(PayNotPossible, match="正在确认") as refused:
        prepare_jsapi(fee)
    assert not refused.value.retry
    fee.refresh_from_db()
    assert fee.status == OrderStatus.PENDING  # only the notification or a query says paid


def test_closed_at_wechat_pay_cannot_be_paid(merchant, fee, wxpay):
    prepare_jsapi(fee)
    wxpay.close(fee.out_trade_no)
    Order.objects.filter(pk=fee.pk).update(prepay_id="", prepay_expires_at=None)
    with pytest.raises(PayNotPossible, match="已关闭"):
        prepare_jsapi(fee)


def test_wechat_pay_out_of_reach_is_a_message_to_try_again(merchant, fee, settings):
    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9/pay"  # the discard port: nobody answers
    with pytest.raises(PayNotPossible, match="稍后再试") as refused:
        prepare_jsapi(fee)
    assert refused.value.retry
    fee.refresh_from_db()
    assert fee.prepay_id == "" and fee.status == OrderStatus.PENDING


def test_an_answer_not_signed_by_wechat_pay_is_not_believed(merchant, fee):
    from carebridge.sandbox.wxpay.merchants import forge_signatures

    forge_signatures(merchant.mchid)
    with pytest.raises(PayNotPossible, match="验证") as refused:
        prepare_jsapi(fee)
    assert refused.value.retry
    fee.refresh_from_db()
    assert fee.prepay_id == ""


def test_an_institution_without_a_merchant_says_where_to_pay(alice_self):
    with pytest.raises(PayNotPossible, match="尚未开通微信支付"):
        prepare_jsapi(order(alice_self))
