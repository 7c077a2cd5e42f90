"""Refunds through the merchant client against the sandbox's WeChat Pay, over the wire, in both
verification modes: asked, retried, refused as WeChat refuses them, queried, and settled with
their REFUND.* notification."""

import json

import pytest

from carebridge.billing.wxpay import WxPayRefused
from carebridge.sandbox.models import SandboxPayMerchant, SandboxPayNotification, SandboxPayOrder
from carebridge.sandbox.wxpay import refunds, transactions
from carebridge.sandbox.wxpay.notify import build_refund_notification
from conftest import ALICE_OPENID

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]
ORDER = "RA20261203000001"


@pytest.fixture
def paid(wxpay, merchant):
    """alice paid 236.80 yuan for her outpatient bill."""
    wxpay.jsapi_prepay(
        out_trade_no=ORDER, description="仁爱医院-门诊缴费", total=23680, openid=ALICE_OPENID
    )
    return transactions.pay(merchant.mchid, ORDER)


def ask(wxpay, out_refund_no="RF20261203000001", refund=10000, **fields):
    return wxpay.refund(
        out_trade_no=ORDER,
        out_refund_no=out_refund_no,
        refund=refund,
        total=23680,
        reason="检查项目取消",
        **fields,
    )


def test_a_refund_is_accepted_processing_then_succeeds(wxpay, paid, merchant):
    answer = ask(wxpay)
    assert answer["status"] == "PROCESSING"
    assert answer["out_refund_no"] == "RF20261203000001"
    assert answer["transaction_id"] == paid.transaction_id
    assert answer["amount"]["refund"] == 10000 and answer["amount"]["total"] == 23680
    assert answer["refund_id"]
    refunds.settle(merchant.mchid, "RF20261203000001")
    queried = wxpay.query_refund("RF20261203000001")
    assert queried["status"] == "SUCCESS"
    assert queried["success_time"]
    assert queried["refund_id"] == answer["refund_id"]


def test_a_refund_goes_through_after_its_minute(wxpay, paid, clock):
    ask(wxpay)
    assert refunds.settle_due() == 0
    clock.advance(seconds=61)
    assert refunds.settle_due() == 1
    assert wxpay.query_refund("RF20261203000001")["status"] == "SUCCESS"


def test_the_same_out_refund_no_again_is_the_same_refund(wxpay, paid):
    first, again = ask(wxpay), ask(wxpay)
    assert again["refund_id"] == first["refund_id"]
    # Refunded once: the remainder is still 136.80 yuan.
    assert ask(wxpay, "RF20261203000002", refund=13680)["status"] == "PROCESSING"


def test_the_same_out_refund_no_with_another_amount_is_refused(wxpay, paid):
    ask(wxpay, refund=10000)
    with pytest.raises(WxPayRefused) as refused:
        ask(wxpay, refund=5000)
    assert (refused.value.status, refused.value.code) == (400, "INVALID_REQUEST")


def test_more_than_the_refundable_remainder_is_refused(wxpay, paid):
    ask(wxpay, "RF1", refund=20000)
    with pytest.raises(WxPayRefused) as refused:
        ask(wxpay, "RF2", refund=3681)  # 36.80 yuan remain
    assert (refused.value.status, refused.value.code) == (400, "INVALID_REQUEST")
    assert "可退金额" in refused.value.message
    assert ask(wxpay, "RF3", refund=3680)["status"] == "PROCESSING"


def test_a_closed_refund_gives_its_amount_back(wxpay, paid, merchant):
    ask(wxpay, "RF1", refund=23680)
    refunds.settle(merchant.mchid, "RF1", "CLOSED")
    assert wxpay.query_refund("RF1")["status"] == "CLOSED"
    assert ask(wxpay, "RF2", refund=23680)["status"] == "PROCESSING"


@pytest.mark.parametrize("mode", ["public_key"])
def test_fifty_refunds_per_order_and_no_more(wxpay, paid):
    SandboxPayOrder.objects.filter(pk=paid.pk).update(refund_count=49)
    ask(wxpay, "RF50", refund=1)
    with pytest.raises(WxPayRefused) as refused:
        ask(wxpay, "RF51", refund=1)
    assert (refused.value.code, "50 次" in refused.value.message) == ("INVALID_REQUEST", True)


def test_an_unpaid_order_is_not_refunded(wxpay, merchant):
    wxpay.jsapi_prepay(out_trade_no=ORDER, description="挂号费", total=23680, openid=ALICE_OPENID)
    with pytest.raises(WxPayRefused) as refused:
        ask(wxpay)
    assert refused.value.code == "INVALID_REQUEST"


def test_an_unknown_order_or_refund_is_not_found(wxpay):
    with pytest.raises(WxPayRefused) as refused:
        ask(wxpay)
    assert (refused.value.status, refused.value.code) == (404, "RESOURCE_NOT_EXISTS")
    with pytest.raises(WxPayRefused) as refused:
        wxpay.query_refund("RF_NO_SUCH")
    assert (refused.value.status, refused.value.code) == (404, "RESOURCE_NOT_EXISTS")


def test_a_merchant_short_of_balance_gets_not_enough(wxpay, paid, merchant):
    SandboxPayMerchant.objects.filter(mchid=merchant.mchid).update(balance_short=True)
    with pytest.raises(WxPayRefused) as refused:
        ask(wxpay)
    assert (refused.value.status, refused.value.code) == (403, "NOT_ENOUGH")


@pytest.mark.parametrize("outcome", ["SUCCESS", "ABNORMAL", "CLOSED"])
def test_each_outcome_is_notified_and_verifies(wxpay, paid, merchant, outcome):
    ask(wxpay)
    refund = refunds.settle(merchant.mchid, "RF20261203000001", outcome)
    queued = SandboxPayNotification.objects.get(event_type=f"REFUND.{outcome}")
    assert queued.notify_url == merchant.notify_url  # the client's default
    resource = json.loads(queued.body)["resource"]
    assert resource["original_type"] == resource["associated_data"] == "refund"

    notification = wxpay.verify_notification(*build_refund_notification(refund))
    assert notification.event_type == f"REFUND.{outcome}"
    assert notification.resource["refund_status"] == outcome
    assert notification.resource["out_refund_no"] == "RF20261203000001"
    assert notification.resource["out_trade_no"] == ORDER
    assert notification.resource["amount"]["refund"] == 10000
    assert ("success_time" in notification.resource) == (outcome == "SUCCESS")


def test_a_settled_refund_is_not_settled_again(paid, wxpay, merchant):
    ask(wxpay)
    refunds.settle(merchant.mchid, "RF20261203000001", "ABNORMAL")
    with pytest.raises(transactions.PayError):
        refunds.settle(merchant.mchid, "RF20261203000001", "SUCCESS")


@pytest.mark.parametrize(
    "fields",
    [
        {"refund": 0},
        {"refund": 12.5},
        {"refund": 23681},
        {"out_refund_no": "RF|2026"},
        {"out_trade_no": "short"},
    ],
    ids=["zero", "float", "over-total", "encoded-no", "bad-trade-no"],
)
def test_a_refund_the_client_can_tell_is_wrong_is_never_sent(wxpay, fields):
    data = {"out_trade_no": ORDER, "out_refund_no": "RF1", "refund": 100, "total": 23680}
    with pytest.raises(ValueError):
        wxpay.refund(**{**data, **fields})
