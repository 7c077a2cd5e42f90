"""Refunds (/v3/refund/domestic/refunds): asked, queried, and settled — PROCESSING, then
SUCCESS a minute later (scaled by SANDBOX_PAY_RETRY_SCALE), or ABNORMAL / CLOSED when a test
says so — each outcome notified (REFUND.SUCCESS / .ABNORMAL / .CLOSED) when a notify_url
was given. WeChat's rules: within a year of payment, at most 50 refunds per order, never more
than the order's remainder, and the same out_refund_no asked again is the same refund."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import SandboxPayOrder, SandboxPayRefund
from . import PayError, pay_api
from .notify import queue_refund
from .resources import refund_data

OUT_REFUND_NO = re.compile(r"^[0-9A-Za-z_\-|*@]{1,64}$")
MAX_REFUNDS = 50
REFUND_WINDOW = timedelta(days=365)
SETTLE_AFTER = 60  # seconds, times SANDBOX_PAY_RETRY_SCALE
OUTCOMES = ("SUCCESS", "ABNORMAL", "CLOSED")
MAX_AMOUNT = 2**31 - 1  # fen


def _param(message: str) -> PayError:
    return PayError(400, "PARAM_ERROR", message)


def _checked(body: dict) -> dict:
    out_refund_no = body.get("out_refund_no")
    if not isinstance(out_refund_no, str) or not OUT_REFUND_NO.match(out_refund_no):
        raise _param("out_refund_no 必填,须为 1-64 位数字、字母、_-|*@")
    trade_keys = [body.get(name) for name in ("out_trade_no", "transaction_id")]
    if not any(isinstance(key, str) and key for key in trade_keys):
        raise _param("out_trade_no 与 transaction_id 须填其一")
    for name, limit in (("reason", 80), ("notify_url", 256)):
        value = body.get(name, "")
        if not isinstance(value, str) or len(value) > limit:
            raise _param(f"{name} 须为不超过 {limit} 字符的字符串")
    amount = body.get("amount")
    if not isinstance(amount, dict):
        raise _param("amount 必填")
    for name in ("refund", "total"):
        if type(amount.get(name)) is not int or not 0 < amount[name] <= MAX_AMOUNT:
            raise _param(f"amount.{name} 须为大于 0 的整数(单位:分)")
    if amount.get("currency", "CNY") != "CNY":
        raise _param("amount.currency 仅支持 CNY")
    return amount


def _order(merchant, body: dict) -> SandboxPayOrder:
    orders = SandboxPayOrder.objects.filter(mchid=merchant.mchid)
    if body.get("transaction_id"):
        orders = orders.filter(transaction_id=body["transaction_id"])
    else:
        orders = orders.filter(out_trade_no=body["out_trade_no"])
    order = orders.first()
    if order is None:
        raise PayError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
    return order


def _refund_id() -> str:
    return f"50{timezone.localtime():%Y%m%d}{secrets.randbelow(10**19):019d}"


@pay_api("POST")
def create(request, merchant, body):
    amount = _checked(body)
    same = SandboxPayRefund.objects.filter(
        mchid=merchant.mchid, out_refund_no=body["out_refund_no"]
    )
    if same.exists():
        return _again(same.get(), body)
    order = _order(merchant, body)
    now = timezone.now()
    if order.trade_state != "SUCCESS":
        raise PayError(400, "INVALID_REQUEST", "订单未支付或已关闭,不能退款")
    if amount["total"] != order.total:
        raise PayError(400, "INVALID_REQUEST", "amount.total 与原订单金额不一致")
    if order.success_time < now - REFUND_WINDOW:
        raise PayError(400, "INVALID_REQUEST", "订单已超过一年退款期限")
    if merchant.balance_short:
        raise PayError(403, "NOT_ENOUGH", "基本账户余额不足,请充值后重新发起")
    try:
        with transaction.atomic():
            taken = SandboxPayOrder.objects.filter(
                pk=order.pk,
                refunded__lte=order.total - amount["refund"],
                refund_count__lt=MAX_REFUNDS,
            ).update(refunded=F("refunded") + amount["refund"], refund_count=F("refund_count") + 1)
            if not taken:
                order.refresh_from_db()
                if order.refund_count >= MAX_REFUNDS:
                    raise PayError(
                        400, "INVALID_REQUEST", f"订单已退款 {MAX_REFUNDS} 次,不能再退款"
                    )
                raise PayError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
            refund = SandboxPayRefund.objects.create(
                order=order,
                mchid=merchant.mchid,
                out_refund_no=body["out_refund_no"],
                refund_id=_refund_id(),
                refund=amount["refund"],
                reason=body.get("reason", ""),
                notify_url=body.get("notify_url", ""),
                settle_at=now + timedelta(seconds=SETTLE_AFTER * settings.SANDBOX_PAY_RETRY_SCALE),
                request=body,
            )
    except IntegrityError:  # the same out_refund_no, asked at the same moment
        refund = SandboxPayRefund.objects.get(
            mchid=merchant.mchid, out_refund_no=body["out_refund_no"]
        )
        return _again(refund, body)
    return 200, refund_data(refund)


def _again(refund: SandboxPayRefund, body: dict):
    """The same out_refund_no again: the same refund, if it is the same request."""
    if refund.request != body:
        raise PayError(400, "INVALID_REQUEST", "同一退款单号的请求参数与之前不一致")
    return 200, refund_data(refund)


@pay_api("GET")
def query(request, merchant, _body, out_refund_no):
    refund = SandboxPayRefund.objects.filter(mchid=merchant.mchid, out_refund_no=out_refund_no)
    if not refund.exists():
        raise PayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
    return 200, refund_data(refund.select_related("order").get())


def settle(mchid: str, out_refund_no: str, status: str = "SUCCESS") -> SandboxPayRefund:
    """Take a PROCESSING refund to ``status`` (SUCCESS, ABNORMAL or CLOSED) and queue its
    notification; a CLOSED refund gives its amount back to the order's remainder. A refund
    already settled is left as it is (PayError)."""
    if status not in OUTCOMES:
        raise ValueError(status)
    now = timezone.now()
    with transaction.atomic():
        refund = SandboxPayRefund.objects.filter(mchid=mchid, out_refund_no=out_refund_no).first()
        if refund is None:
            raise PayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        moved = SandboxPayRefund.objects.filter(pk=refund.pk, status="PROCESSING").update(
            status=status, success_time=now if status == "SUCCESS" else None
        )
        if not moved:
            raise PayError(400, "INVALID_REQUEST", f"退款单已是 {refund.status}")
        if status == "CLOSED":
            SandboxPayOrder.objects.filter(pk=refund.order_id).update(
                refunded=F("refunded") - refund.refund
            )
        refund.refresh_from_db()
        queue_refund(refund)
    return refund


def settle_due(now=None, limit: int = 100) -> int:
    """Refunds whose minute has passed go through (SUCCESS); return how many."""
    now = now or timezone.now()
    due = SandboxPayRefund.objects.filter(status="PROCESSING", settle_at__lte=now)
    done = 0
    for mchid, out_refund_no in list(due.values_list("mchid", "out_refund_no")[:limit]):
        try:
            settle(mchid, out_refund_no)
        except PayError:  # settled meanwhile by another process or a test
            continue
        done += 1
    return done
