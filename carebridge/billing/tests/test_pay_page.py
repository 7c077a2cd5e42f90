"""The pay page: the server's amount and deadline, the cashier's parameters for pay.js, a clear
message (never a 500) when the order cannot be paid; the status it polls says paid only once
WeChat Pay's word has been recorded."""

import json
from datetime import UTC, datetime

import pytest

from carebridge.billing.actions.orders import Payment, record_payment
from carebridge.billing.models import OrderStatus

from .helpers import order

BASE = "/h5/renai/orders"


def pay_data(html: str) -> dict:
    start = html.index('<script id="pay-data" type="application/json">') + 46
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.usefixtures("pay_sandbox")
@pytest.mark.django_db(transaction=True)
def test_the_pay_page_hands_pay_js_the_signed_parameters(alice_client, merchant, alice_self):
    fee = order(alice_self, total=1250)
    response = alice_client.get(f"{BASE}/{fee.out_trade_no}/pay/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "¥12.50" in html and "微信支付 ¥12.50" in html and "支付截止时间" in html
    assert 'src="/static/billing/pay.js"' in html
    data = pay_data(html)
    fee.refresh_from_db()
    assert data["params"]["package"] == f"prepay_id={fee.prepay_id}"
    assert set(data["params"]) == {
        "appId",
        "timeStamp",
        "nonceStr",
        "package",
        "signType",
        "paySign",
    }
    assert data["status_url"] == f"{BASE}/{fee.out_trade_no}/status"
    assert data["text"]["paid"] == "支付完成，医院已收到付款。"


@pytest.mark.django_db
def test_the_status_says_paid_only_once_wechat_pays_word_is_recorded(alice_client, alice_self):
    from carebridge.sandbox.wxpay.merchants import enroll

    merchant = enroll(alice_self.owner.account.institution, appid="wx_renai_0000001")
    fee = order(alice_self, total=1250)
    status = alice_client.get(f"{BASE}/{fee.out_trade_no}/status").json()
    assert status == {"status": "pending", "paid": False, "payable": True, "label": "待支付"}
    record_payment(
        Payment(
            out_trade_no=fee.out_trade_no,
            mchid=merchant.mchid,
            appid=merchant.appid,
            total=1250,
            transaction_id="4200000001202612030000000001",
            payer_openid=alice_self.owner.openid,
            success_time=datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
        )
    )
    status = alice_client.get(f"{BASE}/{fee.out_trade_no}/status").json()
    assert status["paid"] is True and status["status"] == "paid" and status["payable"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, words",
    [
        ({"status": OrderStatus.PAID}, "该订单已支付"),
        ({"status": OrderStatus.CLOSED}, "该订单已关闭，不能再支付"),
        ({"minutes": -1}, "已超过支付截止时间"),
        ({"follower": None}, "收费窗口"),
    ],
)
def test_an_order_that_cannot_be_paid_says_why(alice_client, alice_self, fields, words):
    done = order(alice_self, **fields)
    response = alice_client.get(f"{BASE}/{done.out_trade_no}/pay/")
    html = response.content.decode()
    assert response.status_code == 409 and words in html
    assert "pay-data" not in html and "pay.js" not in html
    assert f'href="{BASE}/{done.out_trade_no}/"' in html  # back to the order


@pytest.mark.django_db
def test_no_merchant_yet_says_where_to_pay(alice_client, alice_self):
    fee = order(alice_self)
    response = alice_client.get(f"{BASE}/{fee.out_trade_no}/pay/")
    assert response.status_code == 409 and "尚未开通微信支付" in response.content.decode()


@pytest.mark.django_db
def test_wechat_pay_out_of_reach_offers_to_try_again(alice_client, alice_self, settings):
    from carebridge.sandbox.wxpay.merchants import enroll

    enroll(alice_self.owner.account.institution, appid="wx_renai_0000001")
    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9/pay"
    fee = order(alice_self)
    response = alice_client.get(f"{BASE}/{fee.out_trade_no}/pay/")
    html = response.content.decode()
    assert response.status_code == 503 and "暂时连不上微信支付" in html
    assert f'href="{BASE}/{fee.out_trade_no}/pay/"' in html and "重试" in html


@pytest.mark.django_db
def test_an_order_paid_by_another_wechat_user_is_not_offered_to_this_one(
    alice_client, alice_self, bob
):
    theirs = order(alice_self, follower=bob)  # the patient is alice's; bob's WeChat ordered it
    response = alice_client.get(f"{BASE}/{theirs.out_trade_no}/pay/")
    assert response.status_code == 409 and "下单时的微信账号" in response.content.decode()


@pytest.mark.django_db
def test_the_pay_page_is_in_english_too(alice_client, alice_self):
    done = order(alice_self, status=OrderStatus.CLOSED)
    alice_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = alice_client.get(f"{BASE}/{done.out_trade_no}/pay/").content.decode()
    assert "This order is closed and can no longer be paid." in html and "View order" in html
