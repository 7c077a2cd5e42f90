"""What the billing admins share, on top of the patients' audited admin (masked patients in
lists, audited detail pages, no deletions: money keeps its history)."""

from carebridge.patients import audited_admin
from carebridge.patients.audit import log_access
from carebridge.patients.choices import AccessAction


def audit(request, obj, what: str) -> None:
    """A member of staff looked at one patient's bills or deposit outside a detail page (the
    cashier's tools)."""
    log_access(
        request,
        [obj.patient],
        AccessAction.VIEW,
        detail=f"billing admin {what} {obj.pk}",
        reason=request.GET.get("reason", ""),
    )


class AuditedAdmin(audited_admin.AuditedAdmin):
    """A bill or a deposit account: its ``patient`` is the one shown."""

    def patient_of(self, obj):
        return obj.patient

    def has_add_permission(self, request):
        return False


class ReadOnlyInline(audited_admin.ReadOnlyInline):
    """The lines of a record (a bill's items, an account's ledger): whoever may see the record
    sees them, nobody edits them."""

    def has_view_permission(self, request, obj=None):
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
