from django.contrib import admin

from carebridge.patients.audited_admin import AuditedAdmin, ReadOnlyInline

from ..models import Diagnosis, PrescriptionItem, Visit


class DiagnosisInline(ReadOnlyInline):
    model = Diagnosis
    fields = ["position", "code", "name"]
    readonly_fields = fields


class PrescriptionInline(ReadOnlyInline):
    model = PrescriptionItem
    fields = ["position", "code", "name", "dosage", "quantity", "unit", "note"]
    readonly_fields = fields


@admin.register(Visit)
class VisitAdmin(AuditedAdmin):
    """Visits as the HIS pushed them: read-only, audited."""

    list_display = ["started_at", "department", "doctor", "masked_patient", "status", "version"]
    list_filter = ["status", "institution"]
    list_select_related = ["patient"]
    date_hierarchy = "started_at"
    search_fields = ["identifier"]
    fields = [
        "identifier",
        "version",
        "status",
        "masked_patient",
        "started_at",
        "ended_at",
        "department_code",
        "department",
        "doctor",
        "received_at",
        "api_client",
    ]
    readonly_fields = fields
    inlines = [DiagnosisInline, PrescriptionInline]

    def patient_of(self, obj):
        return obj.patient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
