"""Every write that changes which reports a patient sees (a new current version, a release, a
withdrawal) bumps the patient's stamp in its own transaction (models/stamps.py), so a page
cached under the old number is never served again; every write that changes the patient's share
links (made, revoked, opened) bumps its ``shares`` number the same way."""

from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce, Greatest, Least

from ..models import PatientStamp, Report, ReportShare


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
        changes["next_release_at"] = _earliest("next_release_at", released_at)
    _update(patient_id, now, changes)


def bump_shares(patient_id: int, now, expires_at=None) -> None:
    """In the caller's transaction, after its write to one of the patient's share links: a new
    ``shares`` number and, for a link just made, its expiry among the moments the number holds
    until."""
    changes = {"shares": F("shares") + 1}
    if expires_at is not None:
        changes["shares_until"] = _earliest("shares_until", expires_at)
    _update(patient_id, now, changes)


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


def settle_shares(stamp: PatientStamp, patient_id: int, now) -> None:
    """After a page found the ``shares`` number of ``stamp`` not holding at ``now`` (a link has
    expired since): a new number, holding from ``now`` (``settled_at``, so a page begun earlier
    does not trust it) until the next expiry still to come. Conditional on the number read, as
    ``settle_stamp``. (A patient with no row gets one from ``settle_stamp``, links read.)"""
    if stamp.settled_at > now:  # settled after this page began: nothing to settle
        return
    PatientStamp.objects.filter(patient_id=patient_id, shares=stamp.shares).update(
        shares=F("shares") + 1,
        settled_at=Greatest(F("settled_at"), _moment(now)),
        shares_until=ReportShare.objects.filter(report__patient_id=patient_id).next_expiry(now),
    )


def _update(patient_id: int, now, changes: dict) -> None:
    row = PatientStamp.objects.filter(patient_id=patient_id)
    if row.update(**changes):
        return
    # The patient's first: the releases still to come are read from the reports (this
    # transaction's included); the links' number holds until ``now`` only, so the first page
    # reads the links (a patient's first report has none: no statement more for the feed). A
    # row made at the same moment by another call stays, and this call's change is applied to
    # it.
    first = _first_row(patient_id, now, read_links=False)
    PatientStamp.objects.bulk_create([first], ignore_conflicts=True)
    row.update(**changes)


def _first_row(patient_id: int, now, read_links: bool = True) -> PatientStamp:
    """The patient's row at ``now``: the links' number holding until the next expiry read from
    the links, or without ``read_links`` until ``now`` only (the first page reads them)."""
    if read_links:
        shares_until = ReportShare.objects.filter(report__patient_id=patient_id).next_expiry(now)
    else:
        shares_until = now
    return PatientStamp(
        patient_id=patient_id,
        settled_at=now,
        next_release_at=Report.objects.filter(patient_id=patient_id).next_release(now),
        shares_until=shares_until,
    )


def _earliest(field: str, at) -> Least:
    """The earlier of the row's ``field`` (when set) and ``at``."""
    moment = _moment(at)
    return Least(Coalesce(F(field), moment), moment)


def _moment(at) -> Value:
    return Value(at, output_field=DateTimeField())
