"""Reading WeChat Pay's trade bill (fixtures/tradebill__all.csv, in WeChat's format: CRLF,
backticked fields, a 商品名称 with a comma, payments and refunds, the summary at the end)."""

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from carebridge.billing.tradebill import MalformedBill, parse

FIXTURES = Path(__file__).parent / "fixtures"


def bill_text(name="tradebill__all") -> str:
    return (FIXTURES / f"{name}.csv").read_bytes().decode("utf-8")


def test_the_rows_are_typed_and_amounts_are_exact_fen():
    bill = parse(bill_text())
    registration, outpatient, deposit, refunded, partial = bill.rows
    assert registration.trade_time == datetime(
        2026, 12, 2, 8, 15, 32, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert registration.out_trade_no == "RA20261202000001"
    assert registration.trade_state == "SUCCESS" and registration.trade_type == "JSAPI"
    assert (registration.total, registration.settlement_total) == (1250, 1250)
    assert registration.refund_id == registration.out_refund_no == ""  # the bill's "0"
    assert registration.fee == Decimal("0.08000")
    assert outpatient.total == 23680  # 236.80 yuan: 23679.999… as a float
    assert outpatient.description == "仁爱医院-门诊缴费,西药"
    assert deposit.trade_type == "NATIVE" and deposit.total == 500000
    assert (refunded.trade_state, refunded.refund_state) == ("REFUND", "SUCCESS")
    assert (refunded.refund, refunded.settlement_refund, refunded.total) == (1250, 1250, 0)
    assert refunded.out_refund_no == "RF20261202000001"
    assert (partial.refund, partial.refund_state) == (10000, "PROCESSING")
    assert partial.fee == Decimal("-0.60000")


def test_the_summary_is_read():
    summary = parse(bill_text()).summary
    assert summary.count == 5
    assert summary.total == summary.settlement_total == 524930
    assert summary.refund == summary.settlement_refund == 11250
    assert summary.fee == Decimal("30.82")


def test_lf_line_ends_and_a_byte_order_mark_read_the_same():
    text = bill_text()
    assert parse("\ufeff" + text.replace("\r\n", "\n")) == parse(text)


def test_a_success_bill_without_refund_columns_is_read():
    lines = bill_text().splitlines()
    drop = {"微信退款单号", "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态"}
    drop.add("申请退款金额")
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name not in drop]
    rows = [[line[1:].split(",`")[i] for i in keep] for line in lines[1:4]]
    summary = "`3,`5249.30,`0.00,`0.00,`31.50000,`5249.30,`0.00"
    text = "\n".join(
        [",".join(header[i] for i in keep)]
        + [",".join("`" + f for f in row) for row in rows]
        + [lines[-2], summary]
    )
    bill = parse(text)
    assert [row.total for row in bill.rows] == [1250, 23680, 500000]
    assert all(row.refund == 0 and row.refund_state == "" for row in bill.rows)


def replaced(old: str, new: str) -> str:
    text = bill_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "empty"),
        ("订单号,金额\r\n`1,`2\r\n", "not a trade bill header"),
        (replaced("`236.80,`0.00", "`236.8,`0.00"), "two decimals"),
        (replaced("`12.50,`0.00,`0,", "`12.5e0,`0.00,`0,"), "two decimals"),
        (replaced("`2026-12-02 09:40:07", "`2026/12/02 09:40:07"), "yyyy-MM-dd"),
        (replaced("`2026-12-02 10:02:51", "2026-12-02 10:02:51"), "backtick"),
        (replaced(",`仁爱医院-预交金,", ",`仁爱医院-预交金,`extra,"), "fields where the header"),
        (replaced("`5,`5249.30", "`6,`5249.30"), "总交易单数"),
        (
            replaced("`5249.30,`112.50,`0.00,`30.82000", "`5249.31,`112.50,`0.00,`30.82000"),
            "add up",
        ),
        (replaced("`30.82000", "`30.81000"), "fees"),
        (bill_text().rsplit("\r\n", 2)[0], "summary"),  # summary line cut off
    ],
    ids=[
        "empty",
        "not-a-bill",
        "one-decimal",
        "exponent",
        "time-format",
        "no-backtick",
        "extra-field",
        "count",
        "total",
        "fee",
        "truncated",
    ],
)
def test_a_malformed_bill_is_refused_naming_the_line(text, says):
    with pytest.raises(MalformedBill) as refused:
        parse(text)
    assert says in str(refused.value)
    assert str(refused.value).startswith(f"line {refused.value.line}:")
