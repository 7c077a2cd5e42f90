from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from carebridge.patients.audited_admin import AuditedAdmin

from ..models import ConstitutionResult


@admin.register(ConstitutionResult)
class ConstitutionResultAdmin(AuditedAdmin):
    """Patients' constitution results: masked in the list, audited when opened, read-only."""

    institution_path = "patient__owner__account__institution"
    list_display = ["created_at", "masked_patient", "result"]
    list_select_related = ["patient"]
    date_hierarchy = "created_at"
    fields = ["masked_patient", "created_at", "sex", "scores", "verdicts", "answers"]
    readonly_fields = fields

    def patient_of(self, obj):
        return obj.patient

    @admin.display(description=_("体质"))
    def result(self, obj):
        return obj.summary()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
