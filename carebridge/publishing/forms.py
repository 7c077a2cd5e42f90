"""Forms of the calendar page: they only read input; actions decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Department, WeChatAccount

from .models import PushPlan, Segment

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


class SendForm(forms.Form):
    account = forms.ModelChoiceField(label=_("公众号"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("群发标题"), max_length=100)
    msgtype = forms.ChoiceField(
        label=_("消息类型"), choices=[("text", _("文本")), ("mpnews", _("图文（media_id）"))]
    )
    content = forms.CharField(
        label=_("群发内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("文本消息填正文；图文消息填草稿的 media_id"),
    )  # fmt: skip
    segment = forms.ChoiceField(label=_("发送对象"), choices=Segment.choices)
    tag_id = forms.IntegerField(label=_("标签ID"), required=False, min_value=0)
    scene = forms.CharField(label=_("来源场景"), max_length=64, required=False)
    due_at = forms.DateTimeField(
        label=_("计划发送时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    plan = forms.ModelChoiceField(label=_("推送选题"), queryset=None, required=False)

    def __init__(self, institution, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = WeChatAccount.objects.filter(institution=institution)
        self.fields["plan"].queryset = PushPlan.objects.filter(institution=institution)

    def content_body(self) -> dict:
        """WeChat's body for the type: {"content": …} or {"media_id": …}."""
        field = "content" if self.cleaned_data["msgtype"] == "text" else "media_id"
        return {field: self.cleaned_data["content"]}
