"""Booking API for HIS, kiosks, windows and phone centres: sessions and free slots, booking for
the client's channel, cancel, check in, call next, no-show.

Every call is authenticated by its client's key (``X-Api-Key``), needs the scope its route names
(``requires``) and sees only its own institution: another institution's ids answer 404, exactly
like ids that do not exist. Appointments are named by their public id (a random UUID), never by
their sequential one. Every answer that shows a registered patient's appointment, and every
look-up of a patient by card or ID number, is written to the patients' audit log under the
client's name."""

import uuid

from django.utils import timezone
from ninja import Path, Query, Router, Schema, Status

from carebridge.integrations.auth import ScopeMissing, requires
from carebridge.integrations.models import Scope
from carebridge.lib.api_input import Day, IdParam
from carebridge.lib.api_refusals import Refusal, refusals
from carebridge.patients.audit import client_ip, log_access
from carebridge.patients.choices import AccessAction
from carebridge.patients.masking import mask_name
from carebridge.patients.references import ParsedRef, find_patient, parse_patient_ref

from . import actions, queries
from .errors import NotFound, PatientNotFound
from .models import Appointment, BookingPolicy, CancelledBy, ClinicSession
from .schemas import (
    AppointmentOut,
    BookIn,
    CheckedIn,
    CheckInByCode,
    QueueOut,
    SessionOut,
    SlotOut,
)

router = Router(tags=["booking"])

# An appointment's public id in a path: any other text is simply an appointment not found.
PublicId = Path(..., max_length=64, description="the appointment's public id (a UUID)")


# Every refusal has the same shape; 401 (no or bad key) and 422 (malformed body) are ninja's.
REFUSALS = {400: Refusal, 403: Refusal, 404: Refusal, 409: Refusal, 429: Refusal}


def _get(queryset, **lookup):
    """One row of the client's institution; any other id, existing or not, is the same 404."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def _institution(request):
    return request.api_client.institution


def _session(request, session_id) -> ClinicSession:
    return _get(
        ClinicSession.objects.select_related("institution", "department", "doctor"),
        pk=session_id,
        institution=_institution(request),
    )


def _appointment(request, public_id: str) -> Appointment:
    try:
        public_id = uuid.UUID(public_id)
    except ValueError:
        raise NotFound() from None
    return _get(
        Appointment.objects.select_related("session__institution", "slot", "patient"),
        public_id=public_id,
        session__institution=_institution(request),
    )


def session_out(s: ClinicSession, policy, now) -> dict:
    """A session of ``ClinicSession.objects.with_free_slot_count``, pools prefetched."""
    pools = sorted(s.pools.all(), key=lambda p: p.channel)
    return {
        "id": s.pk,
        "date": s.date,
        "period": s.period,
        "period_label": str(s.get_period_display()),
        "clinic_type": s.clinic_type,
        "department_id": s.department_id,
        "department": s.department.name,
        "doctor_id": s.doctor_id,
        "doctor": s.doctor.name if s.doctor_id else None,
        "start_time": s.start_time,
        "end_time": s.end_time,
        "fee": s.fee,
        "capacity": s.capacity,
        "status": s.status,
        "released_at": s.released_at(policy),
        "free_slots": s.free_slots,
        "pools": [
            {
                "channel": p.channel,
                "capacity": p.capacity,
                "booked": p.booked,
                "remaining": p.remaining,
            }
            for p in pools
        ],
    }


def _audit(request, patients, action) -> None:
    log_access(request, patients, action, detail=_audit_detail(request))


def _audit_detail(request) -> str:
    return f"api {request.method} {request.path}"


def appointment_out(request, a: Appointment, audited: bool = False) -> dict:
    """The appointment as the API shows it; showing a registered patient is audited (unless
    the action that made the answer has, ``audited``)."""
    if not a.is_walk_in and not audited:
        _audit(request, [a.patient], AccessAction.API_READ)
    return {
        "id": a.public_id,
        "session_id": a.session_id,
        "queue_number": a.queue_number,
        "slot_starts_at": a.slot.starts_at,
        "slot_ends_at": a.slot.ends_at,
        "channel": a.channel,
        "status": a.status,
        "payment_status": a.payment_status,
        "fee": a.fee,
        "patient_id": a.patient_id,
        "patient_name": mask_name(a.patient_name),
        "checked_in_at": a.checked_in_at,
        "called_at": a.called_at,
    }


class SessionFilter(Schema):
    date_from: Day | None = None
    date_to: Day | None = None
    department_id: IdParam | None = None
    doctor_id: IdParam | None = None


@router.get(
    "/sessions",
    auth=requires(Scope.READ),
    response={200: list[SessionOut], **REFUSALS},
    summary="Sessions and their pools",
)
@refusals
def list_sessions(request, filters: Query[SessionFilter]):
    """Sessions of the client's institution from ``date_from`` (default today) to ``date_to``
    (default a week later), optionally of one department or doctor."""
    now = timezone.now()
    qs = (
        ClinicSession.objects.filter(institution=_institution(request))
        .listing(filters.date_from, filters.date_to, timezone.localdate())
        .with_free_slot_count(now)
        .select_related("department", "doctor")
        .prefetch_related("pools")
    )
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    if filters.doctor_id:
        qs = qs.filter(doctor_id=filters.doctor_id)
    policy = BookingPolicy.for_institution(_institution(request))
    return Status(200, [session_out(s, policy, now) for s in qs])


@router.get(
    "/sessions/{session_id}/slots",
    auth=requires(Scope.READ),
    response={200: list[SlotOut], **REFUSALS},
    summary="Free slots",
)
@refusals
def free_slots(request, session_id: IdParam):
    return Status(200, list(_session(request, session_id).slots.free(timezone.now())))


@router.get(
    "/sessions/{session_id}/queue",
    auth=requires(Scope.READ),
    response={200: QueueOut, **REFUSALS},
    summary="Waiting now",
)
@refusals
def session_queue(request, session_id: IdParam):
    s = _session(request, session_id)
    state = queries.session_queue(s)
    return Status(
        200,
        {
            "session_id": s.pk,
            "waiting": state.waiting,
            "minutes_per_patient": state.minutes_per_patient,
            "estimated_wait_minutes": state.estimated_wait(),
            "waiting_numbers": list(
                queries.waiting_in(s)
                .order_by("queue_number")
                .values_list("queue_number", flat=True)
            ),
        },
    )


def resolve_patient(request, parsed: ParsedRef) -> tuple[int | None, str, str]:
    """(patient id, walk-in name, person key) for a reference by card or ID number, audited as
    a look-up. An ID number that finds no patient is a walk-in, if a name came with it."""
    found = find_patient(request, _institution(request), parsed)
    if found is not None:
        return found.pk, "", ""
    if parsed.kind == "card_number" or not parsed.name:
        raise PatientNotFound()
    return None, parsed.name[:50], parsed.key


@router.post(
    "/appointments",
    auth=requires(Scope.BOOK),
    response={201: AppointmentOut, **REFUSALS},
    summary="Book for the client's channel",
)
@refusals
def book(request, payload: BookIn):
    """Takes the given slot, or the first free one, from the client's channel pool. Refusals:
    409 sold_out / slot_taken / not_released / session_closed / already_booked, 429
    limit_reached, 400 for a bad patient reference, 404 not_found (session or slot) and
    patient_not_found."""
    parsed = parse_patient_ref(payload.patient)
    if parsed.kind == "id":
        patient_id, walk_in_name, person_key = parsed.key, "", ""
    else:
        patient_id, walk_in_name, person_key = resolve_patient(request, parsed)
    client = request.api_client
    appointment = actions.book_appointment(
        _institution(request),
        payload.session_id,
        client.channel,
        patient_id=patient_id,
        walk_in_name=walk_in_name,
        person_key=person_key,
        slot_id=payload.slot_id,
        api_client=client,
        client_ip=client_ip(request),
    )
    return Status(201, appointment_out(request, appointment, audited=True))


@router.get(
    "/appointments/{public_id}",
    auth=requires(Scope.READ),
    response={200: AppointmentOut, **REFUSALS},
    summary="One appointment",
)
@refusals
def get_appointment(request, public_id: str = PublicId):
    return Status(200, appointment_out(request, _appointment(request, public_id)))


@router.post(
    "/appointments/{public_id}/cancel",
    auth=requires(Scope.CANCEL_OWN, Scope.CANCEL_ANY),
    response={200: AppointmentOut, **REFUSALS},
    summary="Cancel (cancel-any: any time; cancel-own: until the patient's deadline)",
)
@refusals
def cancel(request, public_id: str = PublicId):
    """``cancel-own`` cancels what this key's channel booked, for the patient at the kiosk or on
    the phone, so the patient's cancellation deadline applies (409 cancel_too_late after it).
    Another channel's appointment, or one booked through WeChat, needs ``cancel-any``, which
    cancels as staff do, at any time (403 scope_missing, nothing changed)."""
    client = request.api_client
    a = _appointment(request, public_id)
    if not client.may_cancel(a):
        raise ScopeMissing(Scope.CANCEL_ANY)
    by = CancelledBy.STAFF if client.has_scope(Scope.CANCEL_ANY) else CancelledBy.PATIENT
    a = actions.cancel_appointment(a, by=by, reason=f"api:{client.name}")
    return Status(200, appointment_out(request, a))


def checked_in(request, a: Appointment, position: int) -> dict:
    state = queries.session_queue(a.session)
    return {
        "appointment": appointment_out(request, a),
        "position": position,
        "waiting": state.waiting,
        "estimated_wait_minutes": state.estimated_wait(position - 1),
    }


@router.post(
    "/appointments/{public_id}/check-in",
    auth=requires(Scope.CHECK_IN),
    response={200: CheckedIn, **REFUSALS},
    summary="Check in at the window",
)
@refusals
def check_in(request, public_id: str = PublicId):
    a = _appointment(request, public_id)
    position = actions.check_in(a)
    a.refresh_from_db()
    return Status(200, checked_in(request, a, position))


@router.post(
    "/check-in",
    auth=requires(Scope.CHECK_IN),
    response={200: CheckedIn, **REFUSALS},
    summary="Check in by scanning the QR code (kiosk)",
)
@refusals
def check_in_by_code(request, payload: CheckInByCode):
    a = Appointment.from_checkin_code(payload.code, _institution(request))
    position = actions.check_in(a)
    a.refresh_from_db()
    return Status(200, checked_in(request, a, position))


@router.post(
    "/sessions/{session_id}/call-next",
    auth=requires(Scope.CALL_NEXT),
    response={200: AppointmentOut, **REFUSALS},
    summary="Call the next checked-in patient",
)
@refusals
def call_next(request, session_id: IdParam):
    return Status(200, appointment_out(request, actions.call_next(_session(request, session_id))))


@router.post(
    "/appointments/{public_id}/no-show",
    auth=requires(Scope.NO_SHOW),
    response={200: AppointmentOut, **REFUSALS},
    summary="Record a no-show",
)
@refusals
def no_show(request, public_id: str = PublicId):
    a = _appointment(request, public_id)
    actions.mark_no_show(a)
    a.refresh_from_db()
    return Status(200, appointment_out(request, a))
