"""The clinicians' worklists: critical values to acknowledge (saying how the patient was
reached), and reports a rule holds until a doctor releases them."""

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from carebridge.patients.audited_admin import AuditedAdmin

from ..actions import acknowledge_critical, release_by_doctor
from ..errors import ResultsError
from ..models import ContactMethod, CriticalValue, HeldReport
from .reports import ObservationInline, SectionInline

SHOWN = [
    "report",
    "version",
    "status",
    "masked_patient",
    "title",
    "issued_at",
    "performer",
    "critical_items",
    "conclusion",
    "received_at",
]


class AcknowledgeForm(forms.ModelForm):
    critical_contact = forms.ChoiceField(label=_("联系患者方式"), choices=ContactMethod.choices)
    critical_note = forms.CharField(
        label=_("处理说明"),
        max_length=200,
        required=False,
        help_text=_("如:已电话通知本人,嘱即来院复诊"),
    )

    class Meta:
        model = CriticalValue
        fields = ["critical_contact", "critical_note"]


class WorklistAdmin(AuditedAdmin):
    institution_path = "report__institution"
    list_select_related = ["report__patient"]
    inlines = [SectionInline, ObservationInline]

    def patient_of(self, obj):
        return obj.report.patient

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("危急值项目"))
    def critical_items(self, obj):
        items = [o for o in obj.observations.all() if o.is_critical]
        return "; ".join(f"{o.name} {o.display_value()} {o.unit} ({o.flag})" for o in items)


@admin.register(CriticalValue)
class CriticalValueAdmin(WorklistAdmin):
    """Every version that held a critical value, those awaiting acknowledgement first."""

    form = AcknowledgeForm
    list_display = [
        "received_at",
        "title",
        "masked_patient",
        "critical_items",
        "acknowledged_column",
    ]
    list_filter = [("critical_acknowledged_at", admin.EmptyFieldListFilter), "report__institution"]
    ordering = [F("critical_acknowledged_at").asc(nulls_first=True), "-received_at"]
    readonly_fields = [*SHOWN, "critical_acknowledged_at", "critical_acknowledged_by"]

    def get_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return [*SHOWN, "critical_contact", "critical_note"]
        return [
            *SHOWN,
            "critical_acknowledged_at",
            "critical_acknowledged_by",
            "critical_contact",
            "critical_note",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return self.readonly_fields
        return [*self.readonly_fields, "critical_contact", "critical_note"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or (obj.awaits_acknowledgement and obj.is_current))

    def save_model(self, request, obj, form, change):
        """Acknowledging is the only change: through the action, never a plain save."""
        try:
            acknowledge_critical(
                obj,
                by=request.user,
                contact=form.cleaned_data["critical_contact"],
                note=form.cleaned_data["critical_note"],
            )
        except ResultsError as exc:
            self.message_user(request, str(exc.message), messages.WARNING)

    @admin.display(description=_("确认"), ordering="critical_acknowledged_at")
    def acknowledged_column(self, obj):
        if obj.critical_acknowledged_at is None:
            return _("待确认")
        return f"{obj.critical_acknowledged_by} · {obj.get_critical_contact_display()}"


@admin.register(HeldReport)
class HeldReportAdmin(WorklistAdmin):
    """Reports a rule holds until a doctor releases them (pathology, for instance)."""

    list_display = ["issued_at", "title", "masked_patient", "status", "received_at"]
    list_filter = ["report__kind", "report__institution"]
    fields = SHOWN
    readonly_fields = SHOWN
    actions = ["release"]

    def has_change_permission(self, request, obj=None):
        # The right to release, used by the list's action; a report itself is never edited.
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("发布所选报告给患者"), permissions=["change"])
    def release(self, request, queryset):
        done = 0
        for version in queryset.select_related("report"):
            try:
                release_by_doctor(version, by=request.user)
                done += 1
            except ResultsError as exc:
                self.message_user(request, f"{version}: {exc.message}", messages.WARNING)
        self.message_user(request, _("已发布 %d 份报告") % done, messages.SUCCESS)
