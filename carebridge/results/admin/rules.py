from django.contrib import admin

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from ..models import ReleaseRule, ResultsPolicy


@admin.register(ReleaseRule)
class ReleaseRuleAdmin(InstitutionScopedAdmin):
    """Which reports wait before the patient sees them: N days, or a doctor's release."""

    list_display = ["kind", "code", "mode", "days", "is_active", "note", "institution"]
    list_filter = ["kind", "mode", "is_active", "institution"]
    fields = ["institution", "kind", "code", "mode", "days", "note", "is_active"]


@admin.register(ResultsPolicy)
class ResultsPolicyAdmin(InstitutionScopedAdmin):
    """Which WeChat templates tell patients that a report is out, or was withdrawn."""

    list_display = ["institution", "tpl_report_ready", "tpl_report_withdrawn"]
    fields = ["institution", "tpl_report_ready", "tpl_report_withdrawn"]
