"""lib/money.py: yuan typed and shown, fen stored."""

import pytest
from django import forms

from carebridge.lib.money import YuanField, format_yuan


class FeeForm(forms.Form):
    fee = YuanField(label="挂号费(元)")


@pytest.mark.parametrize(
    "typed, fen",
    [("12.5", 1250), ("12.50", 1250), ("¥12.50", 1250), ("12元", 1200), ("12.500", 1250),
     ("0", 0), ("１２.５", 1250), (" 3 ", 300)],
)  # fmt: skip
def test_yuan_typed_is_fen_cleaned(typed, fen):
    form = FeeForm({"fee": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["fee"] == fen


@pytest.mark.parametrize(
    "typed, says",
    [
        ("12.345", "两位小数"),
        ("-1", "不能为负数"),
        ("abc", "以元为单位"),
        ("NaN", "以元为单位"),
        ("1e9", "不能超过 100000 元"),
        ("", "必填"),
    ],
)
def test_a_bad_amount_is_refused_with_a_reason(typed, says):
    form = FeeForm({"fee": typed})
    assert not form.is_valid()
    assert says in form.errors["fee"][0]


def test_the_stored_fen_is_shown_as_yuan():
    assert 'value="14.00"' in str(FeeForm(initial={"fee": 1400})["fee"])
    assert format_yuan(1250) == "¥12.50" and format_yuan(5) == "¥0.05" and format_yuan(None) == ""


def test_the_same_amount_typed_again_is_no_change():
    field = YuanField()
    assert not field.has_changed(1250, "12.5")
    assert field.has_changed(1250, "12.6") and field.has_changed(1250, "abc")
