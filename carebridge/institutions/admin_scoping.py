"""Back-office tenancy: staff who are not superusers see and edit only their institution's rows.

Other apps' admins reuse ``InstitutionScopedAdmin`` and set ``institution_path`` when the
institution is reached through a relation (``"doctor__institution"``).
"""

from django.contrib import admin

from .models import Institution


class Scope:
    """Whose rows a back-office user sees: everything (superuser), one institution, or none
    (staff not yet attached to an institution)."""

    def __init__(self, request):
        self.everything = request.user.is_superuser
        member = None if self.everything else getattr(request.user, "staff_member", None)
        self.institution_id = member.institution_id if member else None

    def limit(self, queryset, path="institution"):
        if self.everything:
            return queryset
        if self.institution_id is None:
            return queryset.none()
        return queryset.filter(**{f"{path}_id" if path != "pk" else "pk": self.institution_id})

    def limit_choices(self, model):
        queryset = model._default_manager.all()
        if model is Institution:
            return self.limit(queryset, "pk")
        if any(getattr(f, "name", None) == "institution" for f in model._meta.get_fields()):
            return self.limit(queryset)
        return queryset


class InstitutionScopedAdmin(admin.ModelAdmin):
    institution_path = "institution"

    def get_queryset(self, request):
        path = "pk" if self.model is Institution else self.institution_path
        return Scope(request).limit(super().get_queryset(request), path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", Scope(request).limit_choices(db_field.related_model))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", Scope(request).limit_choices(db_field.related_model))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # For staff of one institution an institution filter offers a single choice.
        filters = super().get_list_filter(request)
        if Scope(request).everything:
            return filters
        return [f for f in filters if f != self.institution_path]
