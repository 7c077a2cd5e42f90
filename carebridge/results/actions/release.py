"""When a version reaches the patient: released once nothing blocks it (release_report), after a
clinician acknowledges its critical values, when a doctor releases a held report, or when the
rule that held it is changed or removed (release_held). Each write is a conditional update, so
two members of staff acting at once release a version once."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..errors import NothingToDo
from ..models import Blocker, ReportStatus, ReportVersion
from ..signals import report_released
from .stamps import bump_stamp


# No savepoint of its own (two round trips a push): inside a push or an acknowledgement it is
# one step of their transaction, which rolls back whole if it fails; alone, it is atomic.
@transaction.atomic(savepoint=False)
def release_report(version: ReportVersion, *, now=None) -> datetime | None:
    """Record when the patient may see ``version`` (now, or the end of a hold rule's delay) if
    nothing blocks it, and announce it (``signals.report_released``, in this transaction);
    return that moment, or None while it stays held. Safe to call again: a version is released
    once."""
    now = now or timezone.now()
    if version.released_at is not None:
        return version.released_at
    moment = version.release_moment(now)
    if moment is None:
        return None
    if not ReportVersion.objects.filter(pk=version.pk, released_at=None).update(released_at=moment):
        version.refresh_from_db(fields=["released_at"])
        return version.released_at
    version.released_at = moment
    bump_stamp(version.report.patient_id, now, moment)  # the report read by release_moment
    report_released.send(sender=ReportVersion, version=version, released_at=moment)
    return moment


@transaction.atomic
def acknowledge_critical(version: ReportVersion, *, by, contact: str, note: str = "", now=None):
    """A clinician (``by``) has seen the version's critical values and reached the patient by
    ``contact`` (ContactMethod); the version is then released if nothing else holds it."""
    now = now or timezone.now()
    acknowledged = ReportVersion.objects.filter(
        pk=version.pk, critical=True, critical_acknowledged_at=None
    ).update(
        critical_acknowledged_at=now,
        critical_acknowledged_by=by,
        critical_contact=contact,
        critical_note=note[:200],
    )
    if not acknowledged:
        raise NothingToDo()
    version.refresh_from_db()
    return release_report(version, now=now)


@transaction.atomic
def release_by_doctor(version: ReportVersion, *, by, now=None):
    """A doctor (``by``) releases a version the institution's rules hold for one."""
    now = now or timezone.now()
    if Blocker.DOCTOR not in version.release_blockers():
        raise NothingToDo()
    if not ReportVersion.objects.filter(pk=version.pk, doctor_released_at=None).update(
        doctor_released_at=now, doctor_released_by=by
    ):
        raise NothingToDo()
    version.refresh_from_db()
    return release_report(version, now=now)


@transaction.atomic
def release_held(institution_id: int, *, now=None) -> int:
    """Look again at the institution's current versions that are not released (after one of
    its release rules was changed, disabled or removed: a version held for a doctor by a rule
    that no longer asks for one would otherwise wait forever, and be on no worklist). Each is
    released if nothing else holds it (release_report); return how many were."""
    now = now or timezone.now()
    held = (
        ReportVersion.objects.current()
        .filter(
            report__institution_id=institution_id,
            status__in=ReportStatus.visible(),
            released_at=None,
        )
        .select_related("report")
    )
    return sum(release_report(version, now=now) is not None for version in held)
