"""停诊 and other notices about a doctor's clinics, as booked patients learn of them.

Two ways in: staff suspend one session (``suspend_session``, the sessions admin's action), or
publish a notice of a doctor's suspension or a visiting expert (``announce_notice``, the notices
admin). Either way the booked patients are told by template message, once.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from .. import notify
from ..errors import WrongState
from ..models import Appointment, AppointmentStatus, ClinicSession, SessionStatus


def _booked(sessions):
    return (
        Appointment.objects.filter(session__in=sessions, status=AppointmentStatus.BOOKED)
        .select_related("session__department", "session__doctor", "slot", "patient__owner")
        .order_by("session__date", "session__start_time", "queue_number")
    )


def _stop(session: ClinicSession, reason: str) -> int | None:
    """Stop booking for ``session`` and tell its booked patients, offering cancellation (they may
    cancel whatever the deadline; a paid fee becomes ``refund_due``: cancel_appointment).
    Returns how many were told; None when it was not open (nobody is told twice)."""
    won = ClinicSession.objects.filter(id=session.id, status=SessionStatus.OPEN).update(
        status=SessionStatus.SUSPENDED, suspension_reason=reason[:200]
    )
    if not won:
        return None
    session.refresh_from_db()
    booked = list(_booked([session]))
    for appointment in booked:
        notify.suspension(appointment, reason)
    return len(booked)


@transaction.atomic
def suspend_session(session: ClinicSession, reason: str):
    """Suspend one session: booking stops, a suspension notice is published on the doctor's (or
    the department's) pages and every booked patient is told, with cancellation offered.

    Returns the institutions.DoctorNotice created."""
    from carebridge.institutions.models import DoctorNotice, NoticeKind

    if _stop(session, reason) is None:
        raise WrongState()
    start = timezone.localtime(session.starts_at)
    day = date_format(session.date, "SHORT_DATE_FORMAT")
    text = f"{session.who} {day} {session.get_period_display()}{start:%H:%M} "
    return DoctorNotice.objects.create(
        institution_id=session.institution_id,
        kind=NoticeKind.SUSPENSION,
        doctor_id=session.doctor_id,
        department_id=None if session.doctor_id else session.department_id,
        starts_on=session.date,
        ends_on=session.date,
        text=text + "停诊:" + reason,
        announced_at=timezone.now(),  # its patients were told just now
    )


def notice_sessions(notice, now=None):
    """The sessions a notice is about: its doctor's (in its department, if it names one), or
    the whole department's, within its dates and not yet over."""
    now = now or timezone.now()
    sessions = ClinicSession.objects.filter(
        institution=notice.institution_id,
        date__range=(max(notice.starts_on, timezone.localtime(now).date()), notice.ends_on),
    ).select_related("department", "doctor")
    if notice.doctor_id:
        sessions = sessions.filter(doctor=notice.doctor_id)
    if notice.department_id:
        sessions = sessions.filter(department=notice.department_id)
    return [s for s in sessions.order_by("date", "start_time") if s.ends_at > now]


@transaction.atomic
def announce_notice(notice, now=None) -> dict:
    """Act on a published notice, once (its ``announced_at`` is claimed first):

    - a suspension (停诊) suspends the open sessions it covers and tells their booked patients,
      offering cancellation with a full refund;
    - a visiting-expert notice naming a doctor is sent to the patients already booked with that
      doctor in its period (a department-wide one is for new patients: the pages show it).

    Returns {"sessions": suspended, "patients": told}. An unpublished notice does nothing."""
    from carebridge.institutions.models import DoctorNotice, NoticeKind

    now = now or timezone.now()
    claimed = DoctorNotice.objects.filter(
        pk=notice.pk, announced_at=None, is_published=True
    ).update(announced_at=now)
    if not claimed:
        return {"sessions": 0, "patients": 0}
    sessions = notice_sessions(notice, now)
    if notice.kind == NoticeKind.SUSPENSION:
        told = [n for n in (_stop(s, notice.text) for s in sessions) if n is not None]
        return {"sessions": len(told), "patients": sum(told)}
    if not notice.doctor_id:
        return {"sessions": 0, "patients": 0}
    booked = list(_booked(sessions))
    for appointment in booked:
        notify.doctor_notice(appointment, notice)
    return {"sessions": 0, "patients": len(booked)}
