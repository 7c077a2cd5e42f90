"""Operations' progress page: each department's articles due, in proofreading and overdue, and
the month's quality ranking; also as an Excel download."""

from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carebridge.institutions.models import Institution

from ..export import progress_workbook
from ..progress import department_progress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProgressForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("月份"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=gettext_lazy("如 2026-11;留空为本月"),
    )
    institution = forms.ModelChoiceField(
        Institution.objects.all(), required=False, label=gettext_lazy("机构")
    )

    def clean_month(self):
        value = self.cleaned_data["month"]
        if not value:
            return timezone.localdate().replace(day=1)
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 年-月,如 2026-11。")) from None


def _institution(request, form):
    if request.user.is_superuser:
        chosen = form.cleaned_data.get("institution")
        return chosen or Institution.objects.order_by("pk").first()
    if not request.user.has_perm("content.review_article"):
        raise PermissionDenied
    member = getattr(request.user, "staff_member", None)
    if member is None:
        raise PermissionDenied
    return member.institution


def progress_view(model_admin, request, excel=False):
    form = ProgressForm(request.GET)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("科室供稿进度与质量考核"),
        "form": form,
    }
    if not form.is_valid():
        if not request.user.is_superuser and not request.user.has_perm("content.review_article"):
            raise PermissionDenied
        return render(request, "admin/content/article/progress.html", context, status=400)
    institution = _institution(request, form)
    month = form.cleaned_data["month"]
    rows = department_progress(institution, month) if institution else []
    if excel:
        response = HttpResponse(progress_workbook(rows, month), content_type=XLSX)
        name = f"progress-{month:%Y-%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context.update(rows=rows, month=month, institution=institution)
    return render(request, "admin/content/article/progress.html", context)
