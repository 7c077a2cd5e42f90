"""The patient pages' forms and filters. Ids are only ever the account's own: a patient, bill
or order of anyone else is answered 404 or as a form error naming the field, never looked up
beyond the user's rows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from carebridge.lib.money import YuanField, fen_to_yuan


class PayBillsForm(forms.Form):
    bill = forms.TypedMultipleChoiceField(
        label=_("账单"), coerce=int, error_messages={"required": _("请选择要缴费的账单")}
    )
    method = forms.ChoiceField(
        label=_("支付方式"),
        choices=[("wxpay", _("微信支付")), ("deposit", _("预交金支付"))],
        error_messages={"required": _("请选择支付方式"), "invalid_choice": _("请选择支付方式")},
    )

    def __init__(self, data, bills):
        super().__init__(data)
        self.fields["bill"].choices = [(b.pk, b.his_id) for b in bills]


class TopUpForm(forms.Form):
    def __init__(self, data, policy):
        super().__init__(data)
        low, high = fen_to_yuan(policy.topup_min), fen_to_yuan(policy.topup_max)
        self.fields["amount"] = YuanField(
            label=_("充值金额(元)"),
            max_yuan=high,
            widget=forms.TextInput(attrs={"class": "weui-input", "inputmode": "decimal"}),
            help_text=_("%(low)s 至 %(high)s 元") % {"low": low, "high": high},
        )
        self.policy = policy

    def clean_amount(self):
        fen = self.cleaned_data["amount"]
        if fen < self.policy.topup_min:
            raise forms.ValidationError(
                _("充值金额不能少于 %(low)s 元") % {"low": fen_to_yuan(self.policy.topup_min)}
            )
        return fen


class RefundRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("退款原因"),
        max_length=80,
        widget=forms.TextInput(attrs={"class": "weui-input"}),
        error_messages={"required": _("请填写退款原因")},
    )


class Status:
    """?status= of 我的服务单: unpaid is the menu's 门诊缴费."""

    UNPAID, PAID, REFUND = "unpaid", "paid", "refund"
    CHOICES = [("", _("全部")), (UNPAID, _("待支付")), (PAID, _("已支付")), (REFUND, _("退款"))]


def _select():
    return forms.Select(attrs={"class": "weui-select"})


class PatientFilterForm(forms.Form):
    """One of the account's own patients, by id, or all of them; any other id is an error
    naming the field (another account's patient is never told apart from none)."""

    def __init__(self, data, patients):
        super().__init__(data)
        self.fields["patient"] = forms.TypedChoiceField(
            label=_("就诊人"),
            choices=[("", _("全部就诊人"))] + [(p.pk, p.name) for p in patients],
            coerce=int,
            empty_value=None,
            required=False,
            widget=_select(),
        )

    def chosen(self):
        return self.cleaned_data.get("patient") if self.is_valid() else None


class OrderFilterForm(PatientFilterForm):
    def __init__(self, data, patients):
        super().__init__(data, patients)
        self.fields["status"] = forms.ChoiceField(
            label=_("订单状态"), choices=Status.CHOICES, required=False, widget=_select()
        )

    def status(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""
