"""The patient pages' two forms: the report list's filter (GET) and a share's duration (POST)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ReportKind
from .models.shares import DEFAULT_HOURS

SHARE_HOURS = [
    (24, _("1天")),
    (DEFAULT_HOURS, _("3天")),
    (7 * 24, _("7天")),
    (30 * 24, _("30天")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(attrs={"class": "weui-input"}, format="%Y-%m-%d")


def select():
    return forms.Select(attrs={"class": "weui-select"})


class PatientChoice(forms.TypedChoiceField):
    """One of the account's own patients, by id; any other id is a form error."""

    def __init__(self, patients, **kwargs):
        choices = [(p.pk, p.name) for p in patients]
        super().__init__(
            label=_("就诊人"),
            choices=choices,
            coerce=int,
            required=False,
            widget=select(),
            **kwargs,
        )


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("报告类型"),
        choices=[("", _("全部"))] + ReportKind.choices,
        required=False,
        widget=select(),
    )
    start = forms.DateField(label=_("开始日期"), required=False, widget=DateInput)
    end = forms.DateField(label=_("结束日期"), required=False, widget=DateInput)

    def __init__(self, data, patients):
        super().__init__(data)
        self.fields = {"patient": PatientChoice(patients), **self.fields}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return cleaned


class VisitFilterForm(forms.Form):
    def __init__(self, data, patients):
        super().__init__(data)
        self.fields["patient"] = PatientChoice(patients)


class ShareForm(forms.Form):
    hours = forms.TypedChoiceField(
        label=_("有效期"), choices=SHARE_HOURS, coerce=int, initial=DEFAULT_HOURS, widget=select()
    )
