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
from carebridge.lib.api_input import HIS_ID
from carebridge.lib.api_refusals import Refusal, refusals

from . import actions, feed
from .errors import NotFound
from .feed import patient_named, pushed_out
from .models import Report
from .schemas import (
    BatchAnswer,
    ReportBatch,
    ReportIn,
    ReportPushed,
    VisitIn,
    VisitPushed,
    Withdrawal,
)

router = Router(tags=["results"])

# Every refusal has the same shape; 401 (no or bad key) and 422 (malformed body) are ninja's.
REFUSALS = {400: Refusal, 403: Refusal, 404: Refusal, 409: Refusal}
ReportId = Path(..., min_length=1, max_length=64, pattern=HIS_ID, description="the HIS's id")


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
    status, answer = feed.push(request, payload, timezone.now())
    return Status(status, answer)


@router.post(
    "/reports/batch",
    auth=requires(Scope.REPORTS_PUSH),
    response={200: BatchAnswer, 400: Refusal, 403: Refusal},
    summary="Push reports in a batch (FHIR Bundle)",
)
def push_reports(request, payload: ReportBatch):
    """A FHIR Bundle of type ``batch`` with up to 100 entries, each ``{"resource": <the body of
    POST /reports>}``. Each entry is pushed on its own, with the same rules, in its own
    transaction: the answer (200, a ``batch-response`` Bundle) has one entry per entry, in
    order, with the status and answer POST /reports would have given it, or its refusal in
    ``response.outcome`` (a malformed entry: 422 ``invalid`` naming the ``field``). A refused
    entry changes nothing; the others are pushed all the same. Retrying a whole batch is safe:
    entries already pushed answer 200 ``unchanged``. More than 100 entries, or a body that is
    not such a Bundle, is a 422 for the whole batch, and nothing is pushed."""
    resources = [entry.resource for entry in payload.entry]
    answers = feed.push_batch(request, resources, timezone.now())
    return Status(200, {"resourceType": "Bundle", "type": "batch-response", "entry": answers})


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
    patient = patient_named(request, payload.subject)
    visit, outcome = actions.push_visit(
        request.api_client.institution, patient, payload, api_client=request.api_client
    )
    status = 201 if outcome in ("created", "updated") else 200
    return Status(
        status, {"identifier": visit.identifier, "version": visit.version, "outcome": outcome}
    )
