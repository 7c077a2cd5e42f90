"""Paying an order on the phone: the JSAPI prepay at WeChat Pay and the parameters the pay page
hands to ``WeixinJSBridge.invoke('getBrandWCPayRequest', …)``.

Nothing here marks an order paid: the page's ``get_brand_wcpay_request:ok`` proves nothing, only
a verified notification or a query answer does (orders.record_payment).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Merchant, Order, OrderStatus
from ..wxpay import NotTrusted, WxPayClient, WxPayRefused, WxPayUnavailable

# WeChat Pay keeps a prepay_id two hours; one about to lapse is not handed to a page that the
# patient may leave open a while before paying.
PREPAY_LIFETIME = timedelta(hours=2)
PREPAY_MARGIN = timedelta(minutes=10)
# time_expire must be at least a minute ahead when the order is placed at WeChat Pay.
MIN_TIME_LEFT = timedelta(minutes=1)


class PayNotPossible(Exception):
    """The order cannot be paid now; ``message`` says why in the patient's words. ``retry``:
    the cause may pass (WeChat Pay unreachable), so the page offers to try again."""

    def __init__(self, message: str, *, retry: bool = False):
        super().__init__(message)
        self.message, self.retry = message, retry


def prepare_jsapi(order: Order) -> dict:
    """For a payable PENDING order with a payer: its prepay at WeChat Pay (placed once and
    reused while WeChat keeps it), then the page's signed ``getBrandWCPayRequest`` parameters.
    PayNotPossible otherwise, with a message for the page.

    The call to WeChat Pay is made outside any transaction (no database transaction waits on
    the network); only storing its answer is one. Two pages asking at once both send the same
    request, and WeChat Pay answers a repeated request with the same prepay_id."""
    order = Order.objects.select_related("institution", "follower").get(pk=order.pk)
    now = timezone.now()
    _check_payable(order, now)
    client = WxPayClient(_merchant_of(order))
    lapses = order.prepay_expires_at
    if order.prepay_id and lapses and now < lapses - PREPAY_MARGIN:
        return client.jsapi_params(order.prepay_id)
    try:
        prepay_id = client.jsapi_prepay(
            out_trade_no=order.out_trade_no,
            description=order.description,
            total=order.total,
            openid=order.follower.openid,
            # Derived from the order, never from the clock: a repeated request must be identical.
            time_expire=timezone.localtime(order.expires_at).isoformat(timespec="seconds"),
        )
    except WxPayUnavailable as exc:
        raise PayNotPossible(_("暂时连不上微信支付，请稍后再试。"), retry=True) from exc
    except WxPayRefused as exc:
        raise PayNotPossible(_refusal(exc), retry=exc.code not in FINAL_REFUSALS) from exc
    except NotTrusted as exc:  # an answer we cannot believe is no answer
        raise PayNotPossible(_("微信支付的应答未通过验证，请稍后再试。"), retry=True) from exc
    _store_prepay(order, prepay_id, now)
    return client.jsapi_params(prepay_id)


def _check_payable(order: Order, now) -> None:
    if order.status == OrderStatus.PAID:
        raise PayNotPossible(_("该订单已支付。"))
    if order.status in (OrderStatus.CLOSED, OrderStatus.REFUNDED):
        raise PayNotPossible(_("该订单已关闭，不能再支付。"))
    if order.expires_at - now < MIN_TIME_LEFT:
        raise PayNotPossible(_("已超过支付截止时间，该订单不能再支付。"))
    if order.follower is None:
        raise PayNotPossible(_("该订单请到医院收费窗口支付。"))


def _merchant_of(order: Order) -> Merchant:
    merchant = Merchant.objects.filter(institution_id=order.institution_id).first()
    if merchant is None:
        raise PayNotPossible(_("本院尚未开通微信支付，请到收费窗口缴费。"))
    return merchant


# Refusals that will not change by trying again.
FINAL_REFUSALS = {"ORDERPAID", "ORDER_CLOSED", "OUT_TRADE_NO_USED"}


def _refusal(exc: WxPayRefused) -> str:
    if exc.code == "ORDERPAID":
        # Paid at WeChat Pay but not yet here: the notification or the query will tell us.
        return _("微信支付显示该订单已支付，正在确认，请稍后查看订单。")
    if exc.code == "ORDER_CLOSED":
        return _("该订单已关闭，不能再支付。")
    return _("微信支付暂时无法受理（%(code)s），请稍后再试。") % {"code": exc.code or exc.status}


@transaction.atomic
def _store_prepay(order: Order, prepay_id: str, now) -> None:
    """Keep the prepay_id for the next visit of the pay page (only while the order waits)."""
    Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
        prepay_id=prepay_id, prepay_expires_at=now + PREPAY_LIFETIME
    )
