"""One push of the HIS's report feed, as the API answers it, for ``POST /reports`` and for each
entry of ``POST /reports/batch`` alike: the rules are the action's (actions.push_report), the
shapes the API's (schemas.py)."""

from http import HTTPStatus

from pydantic import ValidationError

from carebridge.lib.api_refusals import ApiRefusal
from carebridge.patients.models import Patient
from carebridge.patients.references import find_patient, parse_patient_ref

from . import actions
from .errors import PatientNotFound
from .models import Report
from .models.rules import rules_read_once
from .schemas import ReportIn


def patient_named(request, ref, known: dict | None = None) -> Patient:
    """The key's institution's patient ``ref`` names (``known``: patients already read, by
    id), or PatientNotFound."""
    parsed = parse_patient_ref(ref)
    if known is not None and parsed.kind == "id":
        found = known.get(parsed.key)
    else:
        found = find_patient(request, request.api_client.institution, parsed)
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


def push(
    request, payload: ReportIn, now, known: dict | None = None, expect_new=False
) -> tuple[int, dict]:
    """Push one report for the key's client: (200 or 201, the answer). A refusal is raised."""
    patient = patient_named(request, payload.subject, known)
    done = actions.push_report(
        request.api_client.institution,
        patient,
        payload,
        api_client=request.api_client,
        now=now,
        expect_new=expect_new,
    )
    # The action keeps done.report as it left it (current version, release, withdrawal): read
    # again, it would cost a statement per push of the HIS's feed (bench/reports_feed.py).
    answer = pushed_out(done.report, done.version.version, done.outcome, now)
    return (200 if done.outcome == "unchanged" else 201), answer


def push_batch(request, resources: list, now) -> list[dict]:
    """Each entry pushed on its own, in order, in a transaction of its own: a malformed or
    refused entry changes nothing and is answered with its 4xx; the others are pushed. Read
    once for the whole batch, not per entry: the patients named by id, which of the reports
    exist already (a new one is inserted without a look-up), the hold rules."""
    entries = []
    for raw in resources:
        try:
            entries.append(ReportIn.model_validate(raw))
        except ValidationError as exc:
            entries.append(exc)
    ids = {e.subject.patient_id for e in entries if isinstance(e, ReportIn)} - {None}
    institution = request.api_client.institution
    known = Patient.objects.of_institution(institution).in_bulk(ids) if ids else {}
    identifiers = [e.identifier for e in entries if isinstance(e, ReportIn)]
    existing = set(
        Report.objects.of_institution(institution)
        .filter(identifier__in=identifiers)
        .values_list("identifier", flat=True)
    )
    with rules_read_once():
        return [_entry(request, entry, now, known, existing) for entry in entries]


def _entry(request, entry, now, known: dict, existing: set) -> dict:
    if isinstance(entry, ValidationError):
        return _invalid(entry)
    # The same report twice in a batch: the second finds the first's row.
    new = entry.identifier not in existing
    existing.add(entry.identifier)
    try:
        status, answer = push(request, entry, now, known, expect_new=new)
    except ApiRefusal as exc:
        return _refused(exc.status, exc.code, str(exc.message))
    return {"resource": answer, "response": {"status": _status(status)}}


def _status(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def _refused(status: int, code: str, message: str, field: str | None = None) -> dict:
    outcome = {"code": code, "message": message, "field": field}
    return {"resource": None, "response": {"status": _status(status), "outcome": outcome}}


def _invalid(exc: ValidationError) -> dict:
    """The first fault of a malformed entry, as ninja's 422 names a field of a single push."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or None
    return _refused(422, "invalid", error["msg"], field)
