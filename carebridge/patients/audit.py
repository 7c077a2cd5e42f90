"""The audit trail of staff looking at patients' data (DESIGN.md: every staff access)."""

from collections.abc import Iterable

from .choices import AccessAction
from .models import AccessLog, Patient


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wrote unless a trusted proxy
    # rewrites it, and an audit trail must not be forgeable from outside.
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    request,
    patients: Iterable[Patient | None],
    action: AccessAction,
    detail: str = "",
    reason: str = "",
) -> list[AccessLog]:
    """One AccessLog row per patient looked at (None: a search that found nobody)."""
    rows = [
        AccessLog(
            staff=request.user,
            patient=patient,
            action=action,
            detail=detail[:200],
            ip=client_ip(request),
            reason=reason[:200],
        )
        for patient in patients
    ]
    return AccessLog.objects.bulk_create(rows)
