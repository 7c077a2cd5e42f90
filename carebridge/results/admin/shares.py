"""Share links, read-only: which report was shared when, until when, whether revoked, and every
opening. Staff see no token (only its hash is stored) and change nothing: a link is made and
revoked by the patient's account alone. Opening one is audited like opening its report."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.patients.audited_admin import AuditedAdmin, ReadOnlyInline

from ..models import ReportShare, ShareAccess


class AccessInline(ReadOnlyInline):
    model = ShareAccess
    fields = ["accessed_at", "ip", "user_agent"]
    readonly_fields = fields


@admin.register(ReportShare)
class ReportShareAdmin(AuditedAdmin):
    institution_path = "report__institution"
    list_display = ["created_at", "report", "masked_patient", "expires_at", "state_column"]
    list_select_related = ["report__patient"]
    list_filter = ["revoked_at", "report__institution"]
    date_hierarchy = "created_at"
    fields = ["report", "masked_patient", "created_at", "expires_at", "revoked_at", "state_column"]
    readonly_fields = fields
    inlines = [AccessInline]

    def patient_of(self, obj):
        return obj.report.patient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("状态"))
    def state_column(self, obj):
        return obj.state_label(timezone.now())
