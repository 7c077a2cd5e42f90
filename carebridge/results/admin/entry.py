"""The add page of reports: manual entry, through the same checks and action as the API."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import Scope
from carebridge.patients.models import Patient

from ..actions import push_report
from ..errors import ResultsError
from ..forms import ManualReportForm
from ..models import Report


class ManualEntry:
    """Mixed into ReportAdmin: its add page is the manual entry form. A report number already
    used gets the next version (an amendment or a correction, once final)."""

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        patients = Scope(request).limit(Patient.objects.active(), "owner__account__institution")
        form = ManualReportForm(request.POST or None, patients=patients)
        if request.method == "POST" and form.is_valid():
            try:
                report = self._enter(request, form)
            except (ValidationError, ResultsError) as exc:
                form.add_error(
                    None, exc.messages if isinstance(exc, ValidationError) else str(exc.message)
                )
            else:
                self.message_user(request, _("报告已保存"), messages.SUCCESS)
                return redirect(reverse("admin:results_report_change", args=[report.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("手工录入报告"),
            "form": form,
        }
        return TemplateResponse(request, "admin/results/report/enter.html", context)

    def _enter(self, request, form) -> Report:
        patient = form.cleaned_data["patient"]
        institution = patient.owner.account.institution
        existing = (
            Report.objects.filter(
                institution=institution, identifier=form.cleaned_data["identifier"] or None
            )
            .select_related("current")
            .first()
        )
        version = existing.current.version + 1 if existing and existing.current_id else 1
        data = form.report_body(version)
        return push_report(institution, patient, data, entered_by=request.user).report
