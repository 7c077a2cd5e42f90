"""Which articles a back-office user sees: superusers everything; operations their
institution's; department editors and heads their departments' only."""

from carebridge.institutions.admin_scoping import Scope

from ..choices import EditorialRole
from ..models import EditorialMember
from ..roles import has_role


def visible_articles(request, queryset):
    queryset = Scope(request).limit(queryset)
    user = request.user
    if user.is_superuser or user.has_perm("content.review_article"):
        return queryset
    departments = EditorialMember.objects.filter(staff__user=user).values("department_id")
    return queryset.filter(department_id__in=departments)


def editor_departments(user):
    return EditorialMember.objects.filter(staff__user=user, role=EditorialRole.EDITOR).values(
        "department_id"
    )


def is_operations(user, article) -> bool:
    return user.is_superuser or has_role(user, article, EditorialRole.OPERATIONS)
