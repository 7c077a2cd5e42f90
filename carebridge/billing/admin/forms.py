"""The cashier's forms: money typed in yuan, stored in fen (lib/money.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Institution
from carebridge.lib.money import YuanField
from carebridge.patients.choices import IdType
from carebridge.patients.references import InvalidPatientRef, PatientRef, parse_patient_ref

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


NAME_ONE = _("请填写就诊卡号,或证件类型与号码")


class OpenAccountForm(forms.Form):
    """A patient at the cashier's window with no deposit account yet, named by their medical
    card or their ID document, as registered through the institution's WeChat account. Only
    the number's keyed hash is looked up (patients/references.py)."""

    institution = forms.ModelChoiceField(label=_("医疗机构"), queryset=Institution.objects.none())
    card_number = forms.CharField(label=_("就诊卡号"), max_length=64, required=False)
    id_type = forms.ChoiceField(
        label=_("证件类型"), choices=[("", "---------"), *IdType.choices], required=False
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=64, required=False)

    def __init__(self, data=None, *, institutions):
        """``institutions``: those the member of staff works for; with one, it is not asked."""
        super().__init__(data)
        self.fields["institution"].queryset = institutions
        if len(institutions) == 1:
            self.fields["institution"].initial = institutions[0]
            self.fields["institution"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        ref = PatientRef(
            card_number=data.get("card_number") or None,
            id_type=data.get("id_type") or None,
            id_number=data.get("id_number") or None,
        )
        try:
            data["patient_ref"] = parse_patient_ref(ref)
        except InvalidPatientRef as exc:
            missing = exc.code == "patient_required"
            raise forms.ValidationError(NAME_ONE if missing else exc.message) from None
        return data
