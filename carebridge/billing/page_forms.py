"""The patient pages' filters (GET): which of the account's patients, which orders."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
