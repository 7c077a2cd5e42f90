"""Who may take which workflow step on which article: the member rows (role + department) of
the user's institution, each with its role's permission (Django groups give them)."""

from .choices import ROLE_PERMISSION, EditorialRole
from .models import EditorialMember


def has_role(user, article, role: EditorialRole) -> bool:
    """``user`` holds ``role`` for the article's institution and, except for operations, for
    its department."""
    if not user.is_active or not user.has_perm(ROLE_PERMISSION[role]):
        return False
    members = EditorialMember.objects.filter(
        staff__user=user, staff__institution_id=article.institution_id, role=role
    )
    if role != EditorialRole.OPERATIONS:
        members = members.filter(department_id=article.department_id)
    return members.exists()


def members_with_role(article, role: EditorialRole):
    """The member rows to notify for a step: the role's holders for the article's department
    (or anyone in operations), still holding the permission."""
    members = EditorialMember.objects.filter(
        staff__institution_id=article.institution_id, role=role, staff__user__is_active=True
    ).select_related("staff__user", "follower__account")
    if role != EditorialRole.OPERATIONS:
        members = members.filter(department_id=article.department_id)
    return [m for m in members if m.staff.user.has_perm(ROLE_PERMISSION[role])]
