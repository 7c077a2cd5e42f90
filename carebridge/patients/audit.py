"""The audit trail of staff and hospital systems looking at patients' data (DESIGN.md: every
staff access; a system calling the JSON API acts for its staff)."""

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
    """One AccessLog row per patient looked at (None: a search that found nobody).

    The looker is the API client a JSON API request authenticated (``request.api_client``),
    else the signed-in staff user."""
    rows = [access_row(request, patient, action, detail, reason) for patient in patients]
    if len(rows) == 1:
        # save(), not bulk_create: that would wrap one INSERT in a transaction of its own, two
        # more round trips on every API answer that shows an appointment.
        rows[0].save(force_insert=True)
        return rows
    return AccessLog.objects.bulk_create(rows)


def log_api_read(api_client, patient: Patient, detail: str, ip: str | None) -> AccessLog:
    """The row of an API client being shown ``patient`` (an answer that names them), for an
    action that writes it in its own transaction: a booking through the API."""
    return AccessLog.objects.create(
        api_client=api_client,
        patient=patient,
        action=AccessAction.API_READ,
        detail=detail[:200],
        ip=ip,
    )


def access_row(
    request, patient: Patient | None, action: AccessAction, detail: str = "", reason: str = ""
) -> AccessLog:
    """The unsaved AccessLog row of ``log_access`` for one patient."""
    api_client = getattr(request, "api_client", None)
    return AccessLog(
        staff=None if api_client is not None else request.user,
        api_client=api_client,
        patient=patient,
        action=action,
        detail=detail[:200],
        ip=client_ip(request),
        reason=reason[:200],
    )
