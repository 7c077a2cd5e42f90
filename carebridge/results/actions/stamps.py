"""Every write that changes which reports a patient sees (a new current version, a release, a
withdrawal) bumps the patient's stamp in its own transaction (models/stamps.py), so a page
cached under the old number is never served again."""

from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce, Greatest, Least

from ..models import PatientStamp, Report


def bump_stamp(patient_id: int, now, released_at=None) -> None:
    """In the caller's transaction, after its writes: a new number for the patient's pages, the
    window it holds from ``now`` and, if ``released_at`` (of the version just released) is
    later than ``now``, until no later than that. Each change is computed by the database from
    the row as it is then, so two writes at once both count."""
    changes = {
        "number": F("number") + 1,
        "settled_at": Greatest(F("settled_at"), _moment(now)),
    }
    if released_at is not None and released_at > now:  # a delay: seen when it ends
        later = _moment(released_at)
        changes["next_release_at"] = Least(Coalesce(F("next_release_at"), later), later)
    row = PatientStamp.objects.filter(patient_id=patient_id)
    if row.update(**changes):
        return
    # The patient's first: the releases still to come are read from the reports (this
    # transaction's included). A row made at the same moment by another call stays, and this
    # call's change is applied to it.
    PatientStamp.objects.bulk_create([_first_row(patient_id, now)], ignore_conflicts=True)
    row.update(**changes)


def settle_stamp(stamp: PatientStamp | None, patient_id: int, now) -> None:
    """After a page found ``stamp`` (or none) not holding at ``now`` (a delay has ended): a
    new number, holding from ``now`` until the next release still to come. Conditional on the
    number read: a write since then has already bumped it, with its own window."""
    if stamp is None:
        PatientStamp.objects.bulk_create([_first_row(patient_id, now)], ignore_conflicts=True)
        return
    if stamp.settled_at > now:  # a write's moment after this page's: nothing to settle
        return
    PatientStamp.objects.filter(patient_id=patient_id, number=stamp.number).update(
        number=F("number") + 1,
        settled_at=now,
        next_release_at=Report.objects.filter(patient_id=patient_id).next_release(now),
    )


def _first_row(patient_id: int, now) -> PatientStamp:
    pending = Report.objects.filter(patient_id=patient_id).next_release(now)
    return PatientStamp(patient_id=patient_id, settled_at=now, next_release_at=pending)


def _moment(at) -> Value:
    return Value(at, output_field=DateTimeField())
