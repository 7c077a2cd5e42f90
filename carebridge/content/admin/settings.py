"""Each institution's workflow settings: due days, claim length, the WeChat template, the
review rubric and who holds which role for which department."""

from django.contrib import admin

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from ..models import EditorialMember, EditorialPolicy, RubricCriterion


@admin.register(EditorialPolicy)
class EditorialPolicyAdmin(InstitutionScopedAdmin):
    list_display = ["institution", "proofread_days", "review_days", "claim_minutes"]


@admin.register(RubricCriterion)
class RubricCriterionAdmin(InstitutionScopedAdmin):
    list_display = ["name", "max_score", "position", "is_active", "institution"]
    list_editable = ["position", "is_active"]


@admin.register(EditorialMember)
class EditorialMemberAdmin(InstitutionScopedAdmin):
    institution_path = "staff__institution"
    list_display = ["staff", "role", "department", "follower"]
    list_filter = ["role"]
    list_select_related = ["staff__user", "staff__institution", "department", "follower"]
    raw_id_fields = ["follower"]
