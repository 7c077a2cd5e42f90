"""WeChat Pay's trade bill (交易账单), as ``WxPayClient.trade_bill`` returns it, read into typed
rows and its summary, for the daily reconciliation.

The format: a header line naming the columns; one line per payment (交易状态 SUCCESS) or
refund (REFUND; REVOKED for a revoked micropay), every field prefixed with a backtick (so a
spreadsheet keeps long numbers as text); then the summary header (总交易单数,…) and one summary
line, backticked too. Amounts are yuan with two decimals and become integer fen exactly
(Decimal, never float); the fee has five decimals and stays a Decimal of yuan. Columns are
found by name: the SUCCESS bill lacks the refund columns, and WeChat has added columns over
the years. Anything else is refused with MalformedBill, naming the line: a bill that does not
add up is never half-read.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUMMARY_FIRST = "总交易单数"
YUAN = re.compile(r"^-?\d+\.\d{2}$")
FEE = re.compile(r"^-?\d+\.\d{1,6}$")
# Column name → (attribute, kind); a column not in the bill gets the kind's empty value.
COLUMNS = {
    "交易时间": ("trade_time", "time"),
    "公众账号ID": ("appid", "text"),
    "商户号": ("mchid", "text"),
    "特约商户号": ("sub_mchid", "text"),
    "设备号": ("device_info", "text"),
    "微信订单号": ("transaction_id", "text"),
    "商户订单号": ("out_trade_no", "text"),
    "用户标识": ("openid", "text"),
    "交易类型": ("trade_type", "text"),
    "交易状态": ("trade_state", "text"),
    "付款银行": ("bank_type", "text"),
    "货币种类": ("currency", "text"),
    "应结订单金额": ("settlement_total", "fen"),
    "代金券金额": ("coupon", "fen"),
    "微信退款单号": ("refund_id", "id"),
    "商户退款单号": ("out_refund_no", "id"),
    "退款金额": ("settlement_refund", "fen"),
    "充值券退款金额": ("coupon_refund", "fen"),
    "退款类型": ("refund_type", "text"),
    "退款状态": ("refund_state", "text"),
    "商品名称": ("description", "text"),
    "商户数据包": ("attach", "text"),
    "手续费": ("fee", "fee"),
    "费率": ("rate", "text"),
    "订单金额": ("total", "fen"),
    "申请退款金额": ("refund", "fen"),
    "费率备注": ("rate_note", "text"),
}
REQUIRED = ("交易时间", "公众账号ID", "商户号", "微信订单号", "商户订单号", "交易状态", "手续费")
REQUIRED += ("订单金额",)
SUMMARY = {
    "总交易单数": ("count", "count"),
    "应结订单总金额": ("settlement_total", "fen"),
    "退款总金额": ("settlement_refund", "fen"),
    "充值券退款总金额": ("coupon_refund", "fen"),
    "手续费总金额": ("fee", "fee"),
    "订单总金额": ("total", "fen"),
    "申请退款总金额": ("refund", "fen"),
}


class MalformedBill(ValueError):
    """The text is not a WeChat Pay trade bill, or does not add up; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class BillRow:
    """One line of the bill. Amounts in fen; ``fee`` in yuan (five decimals, negative on a
    refund line); ``refund_id`` and ``out_refund_no`` are "" on a payment line (WeChat writes
    ``0`` there). ``trade_state``: SUCCESS, REFUND, REVOKED; ``refund_state``: SUCCESS,
    PROCESSING, FAIL, CHANGE (the bill's words, not the refund API's)."""

    trade_time: datetime
    appid: str
    mchid: str
    sub_mchid: str
    device_info: str
    transaction_id: str
    out_trade_no: str
    openid: str
    trade_type: str
    trade_state: str
    bank_type: str
    currency: str
    settlement_total: int
    coupon: int
    refund_id: str
    out_refund_no: str
    settlement_refund: int
    coupon_refund: int
    refund_type: str
    refund_state: str
    description: str
    attach: str
    fee: Decimal
    rate: str
    total: int
    refund: int
    rate_note: str


@dataclass(frozen=True)
class BillSummary:
    count: int
    settlement_total: int
    settlement_refund: int
    coupon_refund: int
    fee: Decimal
    total: int
    refund: int


@dataclass(frozen=True)
class TradeBill:
    rows: list[BillRow]
    summary: BillSummary


def _fields(line: str, number: int) -> list[str]:
    """A backticked line's fields. Split on ",`", not on every comma: a 商品名称 may hold one."""
    if not line.startswith("`"):
        raise MalformedBill(number, "a field does not start with a backtick")
    return line[1:].split(",`")


def _value(kind: str, raw: str, name: str, number: int):
    if kind == "time":
        try:
            return datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
        except ValueError:
            raise MalformedBill(number, f"{name} {raw!r} is not yyyy-MM-dd HH:mm:ss") from None
    if kind == "fen":
        if not YUAN.match(raw):
            raise MalformedBill(number, f"{name} {raw!r} is not yuan with two decimals")
        return int(Decimal(raw) * 100)  # exact: two decimals times 100 is whole
    if kind == "fee":
        if not FEE.match(raw):
            raise MalformedBill(number, f"{name} {raw!r} is not an amount")
        return Decimal(raw)
    if kind == "count":
        if not raw.isdigit():
            raise MalformedBill(number, f"{name} {raw!r} is not a count")
        return int(raw)
    if kind == "id":
        return "" if raw == "0" else raw
    return raw


EMPTY = {"time": None, "fen": 0, "fee": Decimal(0), "id": "", "text": ""}


def _row(header: list[str], fields: list[str], number: int) -> BillRow:
    if len(fields) != len(header):
        raise MalformedBill(number, f"{len(fields)} fields where the header has {len(header)}")
    values = {attribute: EMPTY[kind] for attribute, kind in COLUMNS.values()}
    for name, raw in zip(header, fields, strict=True):
        if name in COLUMNS:
            attribute, kind = COLUMNS[name]
            values[attribute] = _value(kind, raw, name, number)
    return BillRow(**values)


def _summary(header_line: str, line: str, number: int) -> BillSummary:
    names = header_line.split(",")
    fields = _fields(line, number)
    if len(fields) != len(names) or set(SUMMARY) - set(names):
        raise MalformedBill(number, "the summary line does not match the summary header")
    values = {}
    for name, raw in zip(names, fields, strict=True):
        if name in SUMMARY:
            attribute, kind = SUMMARY[name]
            values[attribute] = _value(kind, raw, name, number)
    return BillSummary(**values)


def _check_sums(rows: list[BillRow], summary: BillSummary, number: int) -> None:
    if summary.count != len(rows):
        raise MalformedBill(number, f"总交易单数 {summary.count}, but {len(rows)} lines")
    for attribute in ("settlement_total", "settlement_refund", "coupon_refund", "total", "refund"):
        if sum(getattr(row, attribute) for row in rows) != getattr(summary, attribute):
            raise MalformedBill(number, f"the lines' {attribute} do not add up to the summary's")
    if sum((row.fee for row in rows), Decimal(0)) != summary.fee:
        raise MalformedBill(number, "the lines' fees do not add up to 手续费总金额")


def parse(text: str) -> TradeBill:
    """Read a trade bill; MalformedBill if it is not one (or does not add up)."""
    numbered = [
        (number, line)
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
        if line.strip()
    ]
    if not numbered:
        raise MalformedBill(1, "the bill is empty")
    header = numbered[0][1].split(",")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise MalformedBill(numbered[0][0], "not a trade bill header: no " + ",".join(missing))
    ends = [i for i, (_, line) in enumerate(numbered) if line.startswith(SUMMARY_FIRST)]
    if len(ends) != 1 or ends[0] != len(numbered) - 2:
        raise MalformedBill(numbered[-1][0], "the summary header and line must end the bill, once")
    end = ends[0]
    rows = [_row(header, _fields(line, number), number) for number, line in numbered[1:end]]
    number, line = numbered[end + 1]
    summary = _summary(numbered[end][1], line, number)
    _check_sums(rows, summary, number)
    return TradeBill(rows, summary)
