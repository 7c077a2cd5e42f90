"""What the billing admins share: institution scoping, masked patients in lists, audited
detail pages, and no deletions (money keeps its history)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin
from carebridge.patients.audit import log_access
from carebridge.patients.choices import AccessAction


def audit(request, obj, what: str) -> None:
    """A member of staff looked at one patient's bills or deposit."""
    log_access(
        request,
        [obj.patient],
        AccessAction.VIEW,
        detail=f"billing admin {what} {obj.pk}",
        reason=request.GET.get("reason", ""),
    )


class AuditedAdmin(InstitutionScopedAdmin):
    actions = None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_permission(request, obj):
            audit(request, obj, self.model._meta.model_name)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("就诊人"))
    def masked_patient(self, obj):
        return obj.patient.masked_name()


class ReadOnlyInline(admin.TabularInline):
    """The lines of a record (a bill's items, an account's ledger): whoever may see the record
    sees them, nobody edits them."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
