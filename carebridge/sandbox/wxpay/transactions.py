"""JSAPI and Native orders: prepay, query by out_trade_no, close; ``pay``, the payer paying on
the phone (what WeChat's cashier does), and ``scan_and_pay``, a payer scanning a Native
order's code_url and paying it, for tests and the simulator. A paid order's TRANSACTION.SUCCESS
notification is queued at once (notify.py delivers it on WeChat's retry schedule)."""

import json
import re
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ..guard import sandbox_only
from ..models import SandboxPayMerchant, SandboxPayOrder
from . import PayError, pay_api
from .notify import queue_payment
from .resources import transaction_data

OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-|*]{6,32}$")
DEFAULT_EXPIRY = timedelta(days=7)
MIN_EXPIRY = timedelta(minutes=1)
MAX_EXPIRY = timedelta(days=90)
CODE_URL = "weixin://wxpay/bizpayurl?pr="
CODE = re.compile(r"^weixin://wxpay/bizpayurl\?pr=[0-9A-Za-z_\-]{1,32}$")
OPENID = re.compile(r"^[0-9A-Za-z_\-]{1,128}$")
MAX_TOTAL = 2**31 - 1  # fen; the column's bound, and far above any hospital bill


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


def _order_fields(merchant: SandboxPayMerchant, body: dict, trade_type: str) -> dict:
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
    if type(total) is not int or not 0 < total <= MAX_TOTAL:
        raise PayError(400, "PARAM_ERROR", "amount.total 须为大于 0 的整数(单位:分)")
    if amount.get("currency", "CNY") != "CNY":
        raise PayError(400, "PARAM_ERROR", "amount.currency 仅支持 CNY")
    openid = payer.get("openid") if isinstance(payer, dict) else None
    if trade_type == "NATIVE":
        openid = ""  # whoever scans the code pays it
    elif not isinstance(openid, str) or not OPENID.match(openid):
        raise PayError(400, "PARAM_ERROR", "payer.openid 必填,不超过 128 个字母、数字、_-")
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
        "trade_type": trade_type,
    }


def _prepay_id() -> str:
    return f"wx{timezone.localtime():%d%H%M%S}{secrets.token_hex(13)}"


def _place(merchant, body: dict, trade_type: str) -> SandboxPayOrder:
    fields = _order_fields(merchant, body, trade_type)
    if trade_type == "NATIVE":
        fields["code_url"] = CODE_URL + secrets.token_urlsafe(12)
    try:
        with transaction.atomic():
            return SandboxPayOrder.objects.create(prepay_id=_prepay_id(), request=body, **fields)
    except IntegrityError:
        order = SandboxPayOrder.objects.get(
            mchid=merchant.mchid, out_trade_no=fields["out_trade_no"]
        )
    if order.trade_state == "SUCCESS":
        raise PayError(403, "ORDERPAID", "该订单已支付")
    if order.trade_state == "CLOSED":
        raise PayError(400, "ORDER_CLOSED", "该订单已关闭")
    if order.request != body or order.trade_type != trade_type:
        raise PayError(400, "INVALID_REQUEST", "201 商户订单号重复")
    # A retry with the same body gets the same prepay_id (code_url), as at WeChat.
    return order


@pay_api("POST")
def jsapi(request, merchant, body):
    return 200, {"prepay_id": _place(merchant, body, "JSAPI").prepay_id}


@pay_api("POST")
def native(request, merchant, body):
    return 200, {"code_url": _place(merchant, body, "NATIVE").code_url}


def _order(merchant, out_trade_no: str) -> SandboxPayOrder:
    order = SandboxPayOrder.objects.filter(mchid=merchant.mchid, out_trade_no=out_trade_no).first()
    if order is None:
        raise PayError(404, "ORDER_NOT_EXIST", "订单不存在")
    return order


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


def pay(mchid: str, out_trade_no: str, openid: str = "") -> SandboxPayOrder:
    """The payer pays (WeChat's cashier): an unpaid order before its time_expire becomes
    SUCCESS and its notification is queued, due at once; anything else is refused with
    PayError. ``openid`` is the payer of a Native order (a JSAPI order names its own)."""
    now = timezone.now()
    order = SandboxPayOrder.objects.filter(mchid=mchid, out_trade_no=out_trade_no).first()
    if order is None:
        raise PayError(404, "ORDER_NOT_EXIST", "订单不存在")
    if order.time_expire <= now:
        raise PayError(400, "ORDER_CLOSED", "订单已过支付期限")
    with transaction.atomic():
        paid = SandboxPayOrder.objects.filter(pk=order.pk, trade_state="NOTPAY").update(
            trade_state="SUCCESS",
            transaction_id=f"42{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**18):018d}",
            success_time=now,
            openid=order.openid or openid,
        )
        if not paid:
            state = "ORDER_CLOSED" if order.trade_state == "CLOSED" else "ORDERPAID"
            raise PayError(400, state, "订单已关闭" if state == "ORDER_CLOSED" else "该订单已支付")
        order.refresh_from_db()
        queue_payment(order)
    return order


def scan_and_pay(code_url: str, openid: str) -> SandboxPayOrder:
    """A WeChat user (``openid``) scans a Native order's QR code and pays it."""
    if not isinstance(code_url, str) or not CODE.match(code_url):
        raise PayError(400, "PARAM_ERROR", "code_url 须为 weixin://wxpay/bizpayurl?pr=… 形式")
    if not isinstance(openid, str) or not OPENID.match(openid):
        raise PayError(400, "PARAM_ERROR", "openid 必填,不超过 128 个字母、数字、_-")
    order = SandboxPayOrder.objects.filter(code_url=code_url, trade_type="NATIVE").first()
    if order is None:
        raise PayError(404, "ORDER_NOT_EXIST", "二维码对应的订单不存在")
    return pay(order.mchid, order.out_trade_no, openid=openid)


@sandbox_only
@csrf_exempt
def scan(request):
    """The phone simulator's scanner: POST ``{"code_url", "openid"}`` (JSON or a form); the
    paid order's ``out_trade_no`` and ``trade_state``, or WeChat-style ``{"code", "message"}``."""
    try:
        if request.method != "POST":
            raise PayError(405, "INVALID_REQUEST", "请使用 POST 方法")
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError) as exc:
                raise PayError(400, "PARAM_ERROR", "请求体不是合法的 JSON") from exc
            if not isinstance(data, dict):
                raise PayError(400, "PARAM_ERROR", "请求体不是 JSON 对象")
        else:
            data = request.POST
        order = scan_and_pay(data.get("code_url"), data.get("openid"))
    except PayError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    return JsonResponse({"out_trade_no": order.out_trade_no, "trade_state": order.trade_state})
