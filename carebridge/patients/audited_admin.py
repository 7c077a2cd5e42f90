"""What every back office page of a patient's records shares (results, billing): masked
patients in lists, audited detail pages, no deletions (the records keep their history)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from .audit import log_access
from .choices import AccessAction


class AuditedAdmin(InstitutionScopedAdmin):
    """Opening one row shows a patient's records: the look is audited like opening the patient
    (lists show masked names only and are not). ``patient_of(obj)`` names the patient."""

    actions = None

    def patient_of(self, obj):
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_permission(request, obj):
            log_access(
                request,
                [self.patient_of(obj)],
                AccessAction.VIEW,
                detail=f"{self.model._meta.app_label} admin {self.model._meta.model_name} {obj.pk}",
                reason=request.GET.get("reason", ""),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("就诊人"))
    def masked_patient(self, obj):
        return self.patient_of(obj).masked_name()


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
