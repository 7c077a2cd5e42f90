"""JSAPI orders: prepay, query by out_trade_no, close; and ``pay``, the payer paying on the
phone (what WeChat's cashier does), for tests and the simulator."""

import re
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import SandboxPayMerchant, SandboxPayOrder
from . import PayError, pay_api, rfc3339

OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-|*]{6,32}$")
DEFAULT_EXPIRY = timedelta(days=7)
MIN_EXPIRY = timedelta(minutes=1)
MAX_EXPIRY = timedelta(days=90)
STATE_DESC = {"NOTPAY": "订单未支付", "SUCCESS": "支付成功", "CLOSED": "订单已关闭"}


def _text(body: dict, name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise PayError(
            400, "PARAM_ERROR", f"输入源“/body/{name}”映射到字段“{name}”必填性规则校验失败"
        )
    if len(value) > limit:
        raise PayError(400, "PARAM_ERROR", f"{name} 长度超过 {limit}")
    return value


def _time_expire(body: dict):
    raw = body.get("time_expire")
    now = timezone.now()
    if raw is None:
        return now + DEFAULT_EXPIRY
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PayError(
            400, "PARAM_ERROR", "time_expire 须为 rfc3339 格式,如 2018-06-08T10:34:56+08:00"
        )
    if not now + MIN_EXPIRY <= moment <= now + MAX_EXPIRY:
        raise PayError(400, "PARAM_ERROR", "time_expire 须在 1 分钟之后、90 天之内")
    return moment


def _order_fields(merchant: SandboxPayMerchant, body: dict) -> dict:
    if _text(body, "mchid", 32) != merchant.mchid:
        raise PayError(400, "PARAM_ERROR", "请求体 mchid 与 Authorization 中的商户号不一致")
    if _text(body, "appid", 32) != merchant.appid:
        raise PayError(400, "APPID_MCHID_NOT_MATCH", "appid 和 mch_id 不匹配")
    out_trade_no = _text(body, "out_trade_no", 32)
    if not OUT_TRADE_NO.match(out_trade_no):
        raise PayError(400, "PARAM_ERROR", "out_trade_no 须为 6-32 位数字、字母、_-|*")
    amount, payer = body.get("amount"), body.get("payer")
    total = amount.get("total") if isinstance(amount, dict) else None
    # Integer fen, more than zero: 12.5 or "1250" or True is not an amount.
    if type(total) is not int or total <= 0:
        raise PayError(400, "PARAM_ERROR", "amount.total 须为大于 0 的整数(单位:分)")
    if amount.get("currency", "CNY") != "CNY":
        raise PayError(400, "PARAM_ERROR", "amount.currency 仅支持 CNY")
    openid = payer.get("openid") if isinstance(payer, dict) else None
    if not isinstance(openid, str) or not openid:
        raise PayError(400, "PARAM_ERROR", "payer.openid 必填")
    attach = body.get("attach", "")
    if not isinstance(attach, str) or len(attach) > 128:
        raise PayError(400, "PARAM_ERROR", "attach 须为不超过 128 字符的字符串")
    return {
        "mchid": merchant.mchid,
        "appid": merchant.appid,
        "out_trade_no": out_trade_no,
        "description": _text(body, "description", 127),
        "notify_url": _text(body, "notify_url", 256),
        "total": total,
        "openid": openid,
        "attach": attach,
        "time_expire": _time_expire(body),
    }


def _prepay_id() -> str:
    return f"wx{timezone.localtime():%d%H%M%S}{secrets.token_hex(13)}"


@pay_api("POST")
def jsapi(request, merchant, body):
    fields = _order_fields(merchant, body)
    try:
        with transaction.atomic():
            order = SandboxPayOrder.objects.create(prepay_id=_prepay_id(), request=body, **fields)
    except IntegrityError:
        order = SandboxPayOrder.objects.get(
            mchid=merchant.mchid, out_trade_no=fields["out_trade_no"]
        )
        if order.trade_state == "SUCCESS":
            raise PayError(403, "ORDERPAID", "该订单已支付") from None
        if order.trade_state == "CLOSED":
            raise PayError(400, "ORDER_CLOSED", "该订单已关闭") from None
        if order.request != body:
            raise PayError(400, "INVALID_REQUEST", "201 商户订单号重复") from None
    # A retry with the same body gets the same prepay_id, as at WeChat.
    return 200, {"prepay_id": order.prepay_id}


def _order(merchant, out_trade_no: str) -> SandboxPayOrder:
    order = SandboxPayOrder.objects.filter(mchid=merchant.mchid, out_trade_no=out_trade_no).first()
    if order is None:
        raise PayError(404, "ORDER_NOT_EXIST", "订单不存在")
    return order


def transaction_data(order: SandboxPayOrder) -> dict:
    """The order as query answers it and a notification's resource carries it."""
    paid = order.trade_state == "SUCCESS"
    data = {
        "appid": order.appid,
        "mchid": order.mchid,
        "out_trade_no": order.out_trade_no,
        "trade_type": "JSAPI",
        "trade_state": order.trade_state,
        "trade_state_desc": STATE_DESC.get(order.trade_state, ""),
        "attach": order.attach,
        "payer": {"openid": order.openid},
        "amount": {"total": order.total, "currency": "CNY"},
    }
    if paid:
        data.update(
            transaction_id=order.transaction_id,
            bank_type="OTHERS",
            success_time=rfc3339(order.success_time),
        )
        data["amount"].update(payer_total=order.total, payer_currency="CNY")
    return data


@pay_api("GET")
def query(request, merchant, _body, out_trade_no):
    if request.GET.get("mchid") != merchant.mchid:
        raise PayError(400, "PARAM_ERROR", "mchid 缺失或与 Authorization 中的商户号不一致")
    return 200, transaction_data(_order(merchant, out_trade_no))


@pay_api("POST")
def close(request, merchant, body, out_trade_no):
    if body.get("mchid") != merchant.mchid:
        raise PayError(400, "PARAM_ERROR", "mchid 缺失或与 Authorization 中的商户号不一致")
    order = _order(merchant, out_trade_no)
    closed = SandboxPayOrder.objects.filter(pk=order.pk, trade_state="NOTPAY").update(
        trade_state="CLOSED"
    )
    if not closed and not SandboxPayOrder.objects.filter(pk=order.pk, trade_state="CLOSED"):
        raise PayError(403, "ORDERPAID", "该订单已支付")
    return 204, None


def pay(mchid: str, out_trade_no: str) -> SandboxPayOrder:
    """The payer pays (WeChat's cashier): an unpaid order before its time_expire becomes
    SUCCESS; anything else is refused with PayError."""
    now = timezone.now()
    order = SandboxPayOrder.objects.filter(mchid=mchid, out_trade_no=out_trade_no).first()
    if order is None:
        raise PayError(404, "ORDER_NOT_EXIST", "订单不存在")
    if order.time_expire <= now:
        raise PayError(400, "ORDER_CLOSED", "订单已过支付期限")
    paid = SandboxPayOrder.objects.filter(pk=order.pk, trade_state="NOTPAY").update(
        trade_state="SUCCESS",
        transaction_id=f"42{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**18):018d}",
        success_time=now,
    )
    if not paid:
        raise PayError(400, "ORDER_CLOSED" if order.trade_state == "CLOSED" else "ORDERPAID", "")
    order.refresh_from_db()
    return order
