"""The HIS's feed of reports and visits (issue 13): push a report version, withdraw a report,
push a visit. Every call needs a key with the ``reports:push`` scope and acts for that key's
institution only: another institution's patients and reports are not found (404), exactly like
ones that do not exist.

The answers name no patient; a patient named by card or ID number is looked up by keyed hash,
and the look-up is written to the patients' audit log under the client's name."""

from django.utils import timezone
from ninja import Path, Router, Status

from carebridge.integrations.auth import requires
from carebridge.integrations.models import Scope
from carebridge.lib.api_refusals import Refusal, refusals
from carebridge.patients.references import find_patient, parse_patient_ref

from . import actions
from .errors import NotFound, PatientNotFound
from .models import Report
from .schemas import HIS_ID, ReportIn, ReportPushed, VisitIn, VisitPushed, Withdrawal

router = Router(tags=["results"])

# Every refusal has the same shape; 401 (no or bad key) and 422 (malformed body) are ninja's.
REFUSALS = {400: Refusal, 403: Refusal, 404: Refusal, 409: Refusal}
ReportId = Path(..., min_length=1, max_length=64, pattern=HIS_ID, description="the HIS's id")


def _patient(request, ref):
    found = find_patient(request, request.api_client.institution, parse_patient_ref(ref))
    if found is None:
        raise PatientNotFound()
    return found


def pushed_out(report: Report, number: int, outcome: str, now) -> dict:
    current = report.current
    return {
        "identifier": report.identifier,
        "version": number,
        "current_version": current.version,
        "outcome": outcome,
        "status": current.status,
        "released_at": current.released_at,
        # As the action left the rows: no query to ask the database what it just wrote.
        "waiting_for": [] if report.shown_to_patient(now) else current.release_blockers(),
    }


@router.post(
    "/reports",
    auth=requires(Scope.REPORTS_PUSH),
    response={200: ReportPushed, 201: ReportPushed, **REFUSALS},
    summary="Push a report version",
)
@refusals
def push_report(request, payload: ReportIn):
    """Creates the report, or stores a new version of it (201); the same identifier and
    ``meta.versionId`` again changes nothing (200 ``unchanged``), or is refused if its content
    differs (409 ``version_conflict``). An older version than the newest received is kept as
    history only (201 ``superseded``). A ``final``, ``amended`` or ``corrected`` version reaches
    the patient once its critical values are acknowledged and the institution's hold rules
    allow; ``cancelled`` or ``entered-in-error`` withdraws the report. Refusals: 404
    patient_not_found; 409 patient_mismatch, category_mismatch, status_regression,
    report_withdrawn, encounter_mismatch."""
    now = timezone.now()
    patient = _patient(request, payload.subject)
    done = actions.push_report(
        request.api_client.institution,
        patient,
        payload,
        api_client=request.api_client,
        now=now,
    )
    # The action keeps done.report as it left it (current version, release, withdrawal): read
    # again, it would cost a statement per push of the HIS's feed (bench/reports_feed.py).
    answer = pushed_out(done.report, done.version.version, done.outcome, now)
    return Status(200 if done.outcome == "unchanged" else 201, answer)


@router.post(
    "/reports/{identifier}/withdraw",
    auth=requires(Scope.REPORTS_PUSH),
    response={200: ReportPushed, **REFUSALS},
    summary="Withdraw a report (entered in error)",
)
@refusals
def withdraw_report(request, payload: Withdrawal, identifier: str = ReportId):
    """The report disappears from the patient's list; its versions stay for staff. The body may
    be ``{}``. Again on a withdrawn report: 200 ``unchanged``."""
    now = timezone.now()
    report = (
        Report.objects.select_related("current")
        .filter(institution=request.api_client.institution, identifier=identifier)
        .first()
    )
    if report is None or report.current is None:
        raise NotFound()
    reason = payload.reason or "entered-in-error"
    withdrawn = actions.withdraw_report(report, reason=reason, now=now)
    report.refresh_from_db()
    outcome = "withdrawn" if withdrawn else "unchanged"
    return Status(200, pushed_out(report, report.current.version, outcome, now))


@router.post(
    "/visits",
    auth=requires(Scope.REPORTS_PUSH),
    response={200: VisitPushed, 201: VisitPushed, **REFUSALS},
    summary="Push a visit with its diagnoses and prescription",
)
@refusals
def push_visit(request, payload: VisitIn):
    """Creates the visit or replaces it with a newer version (201); the same version again
    changes nothing (200 ``unchanged``, or 409 ``version_conflict`` if its content differs); an
    older version is ignored (200 ``superseded``). Reports naming the visit are linked to it."""
    patient = _patient(request, payload.subject)
    visit, outcome = actions.push_visit(
        request.api_client.institution, patient, payload, api_client=request.api_client
    )
    status = 201 if outcome in ("created", "updated") else 200
    return Status(
        status, {"identifier": visit.identifier, "version": visit.version, "outcome": outcome}
    )
