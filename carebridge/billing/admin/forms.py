"""The cashier's forms: money typed in yuan, stored in fen (lib/money.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from carebridge.lib.money import YuanField

from ..models import Channel
from ..models.deposits import WINDOW_CHANNELS


class WindowTopUpForm(forms.Form):
    amount = YuanField(label=_("金额(元)"), max_yuan=1_000_000)
    channel = forms.ChoiceField(
        label=_("方式"), choices=[(c.value, c.label) for c in map(Channel, WINDOW_CHANNELS)]
    )
    receipt_no = forms.RegexField(
        label=_("收据号"),
        regex=r"^[A-Za-z0-9._:-]+$",
        max_length=64,
        error_messages={"invalid": _("收据号只能包含字母、数字和 . _ : -")},
    )
    reason = forms.CharField(label=_("事由"), max_length=200, required=False)

    def clean_amount(self):
        fen = self.cleaned_data["amount"]
        if not fen:
            raise forms.ValidationError(_("金额必须大于零"))
        return fen


class QrTopUpForm(forms.Form):
    amount = YuanField(label=_("金额(元)"))

    def clean_amount(self):
        fen = self.cleaned_data["amount"]
        if not fen:
            raise forms.ValidationError(_("金额必须大于零"))
        return fen


class BalanceRefundForm(forms.Form):
    reason = forms.CharField(label=_("退款原因"), max_length=80, help_text=_("如:出院结算"))
    receipt_no = forms.RegexField(
        label=_("退款凭证号"),
        regex=r"^[A-Za-z0-9._:-]+$",
        max_length=64,
        required=False,
        help_text=_("有现金、银行卡部分时必填:窗口付款的凭证号"),
        error_messages={"invalid": _("凭证号只能包含字母、数字和 . _ : -")},
    )
