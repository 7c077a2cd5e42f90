"""The trade bill (交易账单): applied for with /v3/bill/tradebill, downloaded (gzip) from the
download_url it answers within 30 seconds, the file unsigned but its SHA-1 in the signed
answer. WeChat Pay's CSV: a header line, one line per payment (交易状态 SUCCESS) and per
refund asked (REFUND) that day, every field prefixed with a backtick, amounts in yuan, then
the summary header and line. The bill of day D exists from D+1 09:00 (Asia/Shanghai), for
three months, and only for a day with trades (else NO_STATEMENT_EXIST). The sandbox serves
bill_type=ALL, the type reconciliation needs.

Written here without billing/tradebill.py, so the parser is checked against an independent
writer."""

import gzip
import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.utils import timezone

from ..models import SandboxPayBill, SandboxPayOrder, SandboxPayRefund
from . import PayError, pay_api

HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
SUMMARY = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)
RATE = Decimal("0.006")
REFUND_STATE = {"SUCCESS": "SUCCESS", "PROCESSING": "PROCESSING", "ABNORMAL": "CHANGE"}
REFUND_STATE["CLOSED"] = "FAIL"
READY_AT = time(9)
KEPT = timedelta(days=92)
LINK_LIFE = timedelta(seconds=30)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _fee(fen: int) -> str:
    """WeChat's 0.6 % fee, rounded to the fen and written with five decimals."""
    fee = (Decimal(fen) * RATE).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{fee / 100:.5f}"


def _line(fields) -> str:
    return ",".join("`" + str(field) for field in fields)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _order_fields(order: SandboxPayOrder) -> list:
    return [order.appid, order.mchid, "0", "", order.transaction_id, order.out_trade_no]


def bill_csv(mchid: str, day: date) -> str | None:
    """The day's ALL bill as WeChat Pay writes it; None for a day without trades."""
    start = timezone.make_aware(datetime.combine(day, time()))
    span = {"gte": start, "lt": start + timedelta(days=1)}
    payments = SandboxPayOrder.objects.filter(
        mchid=mchid,
        trade_state="SUCCESS",
        success_time__gte=span["gte"],
        success_time__lt=span["lt"],
    )
    refunds = SandboxPayRefund.objects.filter(
        mchid=mchid, created_at__gte=span["gte"], created_at__lt=span["lt"]
    ).select_related("order")
    rows = []  # (moment, fields, settlement, refund, fee, total, asked)
    for o in payments:
        fields = [_when(o.success_time), *_order_fields(o), o.openid, o.trade_type, "SUCCESS"]
        fields += ["OTHERS", "CNY", _yuan(o.total), "0.00", "0", "0", "0.00", "0.00", "", ""]
        fields += [o.description, o.attach, _fee(o.total), "0.60%", _yuan(o.total), "0.00", ""]
        rows.append((o.success_time, fields, o.total, 0, _fee(o.total), o.total, 0))
    for r in refunds:
        o, fee = r.order, "-" + _fee(r.refund)
        fields = [_when(r.created_at), *_order_fields(o), o.openid, o.trade_type, "REFUND"]
        fields += ["OTHERS", "CNY", "0.00", "0.00", r.refund_id, r.out_refund_no, _yuan(r.refund)]
        fields += ["0.00", "ORIGINAL", REFUND_STATE[r.status], o.description, o.attach, fee]
        fields += ["0.60%", "0.00", _yuan(r.refund), ""]
        rows.append((r.created_at, fields, 0, r.refund, fee, 0, r.refund))
    if not rows:
        return None
    rows.sort(key=lambda row: row[0])
    fees = sum(Decimal(row[4]) for row in rows)
    sums = [sum(row[i] for row in rows) for i in (2, 3)]
    summary = [len(rows), _yuan(sums[0]), _yuan(sums[1]), "0.00", f"{fees:.5f}"]
    summary += [_yuan(sum(row[5] for row in rows)), _yuan(sum(row[6] for row in rows))]
    lines = [HEADER, *(_line(row[1]) for row in rows), SUMMARY, _line(summary)]
    return "\r\n".join(lines) + "\r\n"


def _bill_date(raw) -> date:
    if not isinstance(raw, str) or not DAY.match(raw):
        raise PayError(400, "PARAM_ERROR", "bill_date 必填,格式 yyyy-MM-DD")
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise PayError(400, "PARAM_ERROR", "bill_date 不是合法日期") from exc
    now = timezone.localtime()
    if day >= now.date():
        raise PayError(400, "PARAM_ERROR", "bill_date 须早于今天")
    if day < now.date() - KEPT:
        raise PayError(400, "PARAM_ERROR", "仅支持三个月内的账单")
    if now < timezone.make_aware(datetime.combine(day + timedelta(days=1), READY_AT)):
        raise PayError(400, "STATEMENT_CREATING", "账单生成中,请于次日 10 点后再获取")
    return day


@pay_api("GET")
def tradebill(request, merchant, _body):
    day = _bill_date(request.GET.get("bill_date"))
    if request.GET.get("bill_type", "ALL") != "ALL":
        raise PayError(400, "PARAM_ERROR", "bill_type:沙箱仅提供 ALL")
    tar_type = request.GET.get("tar_type", "")
    if tar_type not in ("", "GZIP"):
        raise PayError(400, "PARAM_ERROR", "tar_type 仅支持 GZIP")
    text = bill_csv(merchant.mchid, day)
    if text is None:
        raise PayError(400, "NO_STATEMENT_EXIST", "账单文件不存在")
    raw = text.encode()
    token = secrets.token_urlsafe(32)
    SandboxPayBill.objects.create(
        mchid=merchant.mchid,
        token=token,
        content=gzip.compress(raw) if tar_type else raw,
        expires_at=timezone.now() + LINK_LIFE,
    )
    mount = request.path[: request.path.index("/v3/")]
    url = request.build_absolute_uri(f"{mount}/v3/billdownload/file?token={token}")
    return 200, {
        "hash_type": "SHA1",
        "hash_value": hashlib.sha1(raw).hexdigest(),
        "download_url": url,
    }


@pay_api("GET")
def download(request, merchant, _body):
    bill = SandboxPayBill.objects.filter(
        mchid=merchant.mchid, token=request.GET.get("token", ""), expires_at__gt=timezone.now()
    ).first()
    if bill is None:
        raise PayError(400, "INVALID_REQUEST", "下载链接无效或已过期(30 秒内有效)")
    return HttpResponse(bytes(bill.content), content_type="application/octet-stream")
