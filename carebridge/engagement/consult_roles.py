"""Which consultations a member of staff works: operations (a responder row without a
department, or a superuser) all of the institution's; a department's responders theirs."""

from .models import ConsultResponder


def departments_of(user) -> set[int] | None:
    """None: every department and the triage queue; else the department ids (maybe none)."""
    if user.is_superuser:
        return None
    rows = list(
        ConsultResponder.objects.filter(staff__user=user).values_list("department_id", flat=True)
    )
    if None in rows:
        return None
    return set(rows)


def limit(queryset, user):
    departments = departments_of(user)
    if departments is None:
        return queryset
    return queryset.filter(department_id__in=departments)
