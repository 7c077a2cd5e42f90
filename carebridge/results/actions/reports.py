"""A report pushed by the HIS (or typed in the back office), version by version, and withdrawn.

``push_report`` is the one write of a report's content, for the API and the back office alike.
A version is identified by the report's HIS id and its version number: the same one pushed again
changes nothing; an older one arriving after a newer one is kept as history and never becomes
the report's current version."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import (
    CategoryMismatch,
    EncounterMismatch,
    PatientMismatch,
    ReportWithdrawn,
    StatusRegression,
    VersionConflict,
)
from ..models import Report, ReportStatus, ReportVersion, Visit
from ..schemas import ReportIn
from ..signals import report_withdrawn
from .content import content_hash, write_version
from .release import release_report
from .stamps import bump_stamp


@dataclass
class Pushed:
    report: Report
    version: ReportVersion  # the version the push named
    outcome: str  # created, updated, superseded, unchanged


def push_report(
    institution, patient, data: ReportIn, *, now=None, expect_new=False, **source
) -> Pushed:
    """Store version ``data.meta.versionId`` of ``institution``'s report ``data.identifier``
    about ``patient``. A newer version becomes the current one and is released to the patient
    if nothing holds it (release_report), or withdraws the report if it is cancelled or entered
    in error. ``source``: ``api_client`` or ``entered_by`` (a member of staff). Raises a
    ResultsError, with nothing changed, when the push contradicts what was received before.
    ``expect_new``: the caller found no such report a moment ago (a batch reads them first),
    so the report is inserted without looking for it; if it exists after all, as below."""
    now = now or timezone.now()
    digest = content_hash(data, patient)
    try:
        return _push(institution, patient, data, digest, now, source, expect_new)
    except IntegrityError:
        # The report was created at the same moment by another call, which committed first
        # (our INSERT waited for it, then failed): its transaction rolled back, this one finds
        # the report and locks it. A savepoint around every create would cost two round trips
        # a new report for a race that is rare.
        return _push(institution, patient, data, digest, now, source)


@transaction.atomic
def _push(
    institution, patient, data: ReportIn, digest: str, now, source: dict, expect_new=False
) -> Pushed:
    report, created = _report_for_update(institution, patient, data, now, expect_new)
    number = data.meta.versionId
    # A report created by this push has no versions yet: one statement fewer per new report.
    same = None if created else report.versions.filter(version=number).first()
    if same is not None:
        if same.content_hash != digest:
            raise VersionConflict()
        return Pushed(report, same, "unchanged")
    if report.patient_id != patient.pk:
        raise PatientMismatch()
    if report.kind != data.category:
        raise CategoryMismatch()
    if report.is_withdrawn:
        raise ReportWithdrawn()
    current = report.current
    if current is not None and number < current.version:
        return Pushed(
            report, write_version(report, patient, data, digest, now, **source), "superseded"
        )
    if current is not None and not ReportStatus.may_follow(current.status, data.status):
        raise StatusRegression()
    visit = _visit(institution, patient, data.encounter)
    version = write_version(report, patient, data, digest, now, **source)
    _make_current(report, version, data, visit, now)
    if data.status in ReportStatus.withdrawing():
        withdraw_report(report, reason=data.status, now=now)  # bumps the patient's stamp
    elif release_report(version, now=now) is None:  # a release bumps it
        bump_stamp(patient.pk, now)  # held: the version the patient saw, if any, is gone
    return Pushed(report, version, "created" if created else "updated")


def _report_for_update(
    institution, patient, data: ReportIn, now, expect_new=False
) -> tuple[Report, bool]:
    """The report, locked until the push commits, or a new one (current set by the caller).
    A report created by another call at the same moment is an IntegrityError (push_report
    tries again)."""
    lookup = {"institution": institution, "identifier": data.identifier}
    # Not select_related("current"): on PostgreSQL, a SELECT … FOR UPDATE that waited for
    # another push re-reads the report's row but not the joined version's, so it would
    # compare with the version that was current before that push (test_concurrency). The
    # current version is read after the lock, by a statement of its own.
    locked = Report.objects.select_for_update()
    report = None if expect_new else locked.filter(**lookup).first()
    if report is not None:
        report.institution = institution  # the signals' receivers read it: not again
        return report, False
    report = Report.objects.create(
        **lookup,
        patient=patient,
        kind=data.category,
        title=data.code.text,
        issued_at=data.issued or now,
        created_at=now,
    )
    return report, True


def _visit(institution, patient, identifier: str | None) -> Visit | None:
    if not identifier:
        return None
    visit = Visit.objects.filter(institution=institution, identifier=identifier).first()
    if visit is not None and visit.patient_id != patient.pk:
        raise EncounterMismatch()
    return visit


def _make_current(report: Report, version: ReportVersion, data: ReportIn, visit, now) -> None:
    previous = report.current
    if previous is not None and previous.released_at is not None and previous.released_at > now:
        # Held by a delay and overtaken before it ended: the patient never saw it.
        ReportVersion.objects.filter(pk=previous.pk).update(released_at=None)
    report.current = version
    report.title = version.title
    report.issued_at = version.issued_at or version.received_at
    report.encounter = data.encounter or ""
    report.visit = visit
    report.save(update_fields=["current", "title", "issued_at", "encounter", "visit"])


@transaction.atomic
def withdraw_report(report: Report, *, reason: str = "", now=None) -> bool:
    """Take the report away from the patient (cancelled, or entered in error); False if it
    already was. Its versions stay for staff; ``signals.report_withdrawn`` says whether the
    patient could have seen it, so that they can be told."""
    now = now or timezone.now()
    if not Report.objects.filter(pk=report.pk, withdrawn_at=None).update(
        withdrawn_at=now, withdrawn_reason=reason[:200]
    ):
        return False
    report.withdrawn_at, report.withdrawn_reason = now, reason[:200]
    was_visible = report.versions.filter(released_at__lte=now).exists()
    report.versions.filter(released_at__gt=now).update(released_at=None)  # never will be
    bump_stamp(report.patient_id, now)
    report_withdrawn.send(sender=Report, report=report, was_visible=was_visible)
    return True
