"""Reports per patient with their versions, read-only; manual entry goes through push_report."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from carebridge.patients.audited_admin import AuditedAdmin, ReadOnlyInline

from ..models import Blocker, CheckupSection, Observation, Report, ReportVersion
from .entry import ManualEntry


class VersionInline(ReadOnlyInline):
    model = ReportVersion
    fields = [
        "version",
        "status",
        "received_at",
        "released_at",
        "critical",
        "critical_acknowledged_at",
    ]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("全部版本(历史)")


@admin.register(Report)
class ReportAdmin(ManualEntry, AuditedAdmin):
    list_display = [
        "issued_at",
        "title",
        "kind",
        "masked_patient",
        "status_column",
        "released_column",
        "withdrawn_at",
    ]
    list_filter = ["kind", "current__status", "current__critical", "withdrawn_at", "institution"]
    list_select_related = ["patient", "current"]
    search_fields = ["identifier"]
    date_hierarchy = "issued_at"
    fields = [
        "identifier",
        "kind",
        "title",
        "masked_patient",
        "patient_reports",
        "status_column",
        "released_column",
        "issued_at",
        "encounter",
        "visit",
        "withdrawn_at",
        "withdrawn_reason",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [VersionInline]

    def patient_of(self, obj):
        return obj.patient

    def has_change_permission(self, request, obj=None):
        return False  # the HIS's record: changed only by a new version

    def lookup_allowed(self, lookup, value, request=None):
        # "All reports of this patient", linked from a report: by id, never by name or number.
        return lookup == "patient__id__exact" or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("状态"), ordering="current__status")
    def status_column(self, obj):
        return obj.current.get_status_display() if obj.current_id else "-"

    @admin.display(description=_("向患者发布"))
    def released_column(self, obj):
        if obj.is_withdrawn:
            return _("已撤回")
        if obj.current_id and obj.current.released_at:
            return timezone.localtime(obj.current.released_at).strftime("%Y-%m-%d %H:%M")
        blockers = obj.current.release_blockers() if obj.current_id else []
        return "、".join(str(Blocker(b).label) for b in blockers) or "-"

    @admin.display(description=_("该就诊人的全部报告"))
    def patient_reports(self, obj):
        url = reverse("admin:results_report_changelist") + f"?patient__id__exact={obj.patient_id}"
        return format_html('<a href="{}">{}</a>', url, _("查看"))


class SectionInline(ReadOnlyInline):
    model = CheckupSection
    fields = ["position", "title", "performer", "conclusion"]
    readonly_fields = fields


class ObservationInline(ReadOnlyInline):
    model = Observation
    fields = ["section", "code", "name", "value_column", "unit", "range_column", "flag", "his_flag"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section", "version__report__patient")

    @admin.display(description=_("结果"))
    def value_column(self, obj):
        return obj.display_value()

    @admin.display(description=_("参考范围"))
    def range_column(self, obj):
        version = obj.version
        patient = version.report.patient
        moment = version.effective_at or version.issued_at or version.received_at
        found = obj.applicable_range(patient.sex, patient.age_on(timezone.localtime(moment).date()))
        return found.label() if found else "-"


@admin.register(ReportVersion)
class ReportVersionAdmin(AuditedAdmin):
    institution_path = "report__institution"
    list_display = [
        "title",
        "version",
        "status",
        "masked_patient",
        "received_at",
        "released_at",
        "critical",
    ]
    list_filter = ["status", "critical", "report__kind", "report__institution"]
    list_select_related = ["report__patient"]
    date_hierarchy = "received_at"
    search_fields = ["report__identifier"]
    fields = [
        "report",
        "version",
        "status",
        "masked_patient",
        "code",
        "title",
        "effective_at",
        "issued_at",
        "performer",
        "specimen",
        "modality",
        "body_site",
        "findings",
        "conclusion",
        "advice",
        "viewer_url",
        "media",
        "critical",
        "critical_acknowledged_at",
        "critical_acknowledged_by",
        "critical_contact",
        "critical_note",
        "doctor_released_at",
        "doctor_released_by",
        "released_at",
        "received_at",
        "api_client",
        "entered_by",
    ]
    readonly_fields = fields
    inlines = [SectionInline, ObservationInline]

    def patient_of(self, obj):
        return obj.report.patient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
