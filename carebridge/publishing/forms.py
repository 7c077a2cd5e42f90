"""Forms of the calendar page: they only read input; actions decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Department

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> tuple[int, int] | None:
    """ "2026-04" → (2026, 4); None for anything else (years 2000–2100)."""
    match = MONTH.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


class PlanForm(forms.Form):
    occasion = forms.CharField(max_length=80, widget=forms.HiddenInput)
    year = forms.IntegerField(min_value=2000, max_value=2100, widget=forms.HiddenInput)
    topic = forms.CharField(label=_("选题"), max_length=120)
    department = forms.ModelChoiceField(
        label=_("承稿科室"), queryset=Department.objects.none(), empty_label=_("请选择科室")
    )
    due_date = forms.DateField(label=_("截稿日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, institution, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            institution=institution, is_active=True
        ).order_by("position", "id")
