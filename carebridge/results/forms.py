"""Manual entry of a report in the back office (a demo, or a HIS that cannot push yet): the
form turns what staff typed into the body the API takes, so the report goes through the same
checks and the same action."""

import re
import secrets
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as InputError

from carebridge.patients.models import Patient

from .choices import Flag, ReportKind, ReportStatus
from .schemas import ReportIn

RANGE = re.compile(r"^\s*(?P<low>-?\d+(?:\.\d+)?)\s*[-~–]\s*(?P<high>-?\d+(?:\.\d+)?)\s*$")
BOUND = re.compile(r"^\s*(?P<op>[<>≤≥]=?)\s*(?P<value>-?\d+(?:\.\d+)?)\s*$")


class ManualReportForm(forms.Form):
    patient = forms.ModelChoiceField(label=_("就诊人"), queryset=Patient.objects.none())
    identifier = forms.CharField(
        label=_("HIS报告号"), max_length=64, required=False, help_text=_("留空则自动生成")
    )
    kind = forms.ChoiceField(label=_("报告类型"), choices=ReportKind.choices)
    title = forms.CharField(label=_("报告名称"), max_length=200, help_text=_("如 血常规、胸部CT"))
    code = forms.CharField(label=_("项目代码"), max_length=64, required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=ReportStatus.choices, initial=ReportStatus.FINAL
    )
    issued_at = forms.DateTimeField(label=_("报告时间"), initial=timezone.now)
    performer = forms.CharField(label=_("报告医生"), max_length=50, required=False)
    items = forms.CharField(
        label=_("检验项目"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_("每行一项:名称|结果|单位|参考范围|标志,如 白细胞计数|6.5|10^9/L|3.5-9.5"),
    )
    findings = forms.CharField(label=_("检查所见"), required=False, widget=forms.Textarea)
    conclusion = forms.CharField(label=_("结论/印象"), required=False, widget=forms.Textarea)
    advice = forms.CharField(label=_("建议"), required=False, widget=forms.Textarea)

    def __init__(self, *args, patients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = patients

    def clean_items(self):
        return [
            parse_item(n, line)
            for n, line in enumerate(self.cleaned_data["items"].splitlines(), 1)
            if line.strip()
        ]

    def report_body(self, version: int) -> ReportIn:
        """The API's body for what was typed, checked as the API checks it."""
        data = self.cleaned_data
        identifier = (
            data["identifier"] or f"MAN-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3)}"
        )
        body = {
            "identifier": identifier,
            "meta": {"versionId": version},
            "status": data["status"],
            "category": data["kind"],
            "code": {"code": data["code"] or None, "text": data["title"]},
            "subject": {"patient_id": data["patient"].pk},
            "issued": data["issued_at"].isoformat(),
            "performer": data["performer"] or None,
            "result": data["items"],
            "findings": data["findings"] or None,
            "conclusion": data["conclusion"] or None,
            "advice": data["advice"] or None,
        }
        try:
            return ReportIn.model_validate(body)
        except InputError as exc:
            raise ValidationError(
                [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            ) from None


def parse_item(number: int, line: str) -> dict:
    """One line "名称|结果|单位|参考范围|标志" as the API's Observation."""
    parts = [p.strip() for p in line.split("|")] + [""] * 4
    name, value, unit, reference, flag = parts[:5]
    if not name:
        raise ValidationError(_("第 %(n)s 行:缺少项目名称") % {"n": number})
    if flag and flag not in Flag.values:
        raise ValidationError(_("第 %(n)s 行:标志应为 N、H、L、HH、LL、A 或 AA") % {"n": number})
    item = {"code": {"text": name}, "interpretation": flag or None}
    try:
        item["valueQuantity"] = {"value": str(Decimal(value)), "unit": unit or None}
    except InvalidOperation:
        item["valueString"] = value
    item["referenceRange"] = [parse_range(reference)] if reference else []
    return item


def parse_range(text: str) -> dict:
    """ "3.5-9.5", "<5.2", "≥1.04", or a text such as 阴性."""
    if match := RANGE.match(text):
        return {"low": {"value": match["low"]}, "high": {"value": match["high"]}}
    if match := BOUND.match(text):
        side = "high" if match["op"][0] in "<≤" else "low"
        return {side: {"value": match["value"]}}
    return {"text": text}
