"""停诊: a session cancelled by the hospital."""

from django.db import transaction
from django.utils import timezone

from .. import notify
from ..errors import WrongState
from ..models import Appointment, AppointmentStatus, ClinicSession, SessionStatus


@transaction.atomic
def suspend_session(session: ClinicSession, reason: str):
    """Stop booking for ``session``, publish a suspension notice on the doctor's (or the
    department's) pages and tell every booked patient, offering cancellation: they may cancel
    whatever the deadline, and a paid fee becomes ``refund_due`` (cancel_appointment).

    Returns the institutions.DoctorNotice created."""
    from carebridge.institutions.models import DoctorNotice, NoticeKind

    won = ClinicSession.objects.filter(id=session.id, status=SessionStatus.OPEN).update(
        status=SessionStatus.SUSPENDED, suspension_reason=reason[:200]
    )
    if not won:
        raise WrongState()
    session.refresh_from_db()
    start = timezone.localtime(session.starts_at)
    text = f"{session.who} {session.date:%Y-%m-%d} {session.get_period_display()}{start:%H:%M} "
    notice = DoctorNotice.objects.create(
        institution_id=session.institution_id,
        kind=NoticeKind.SUSPENSION,
        doctor_id=session.doctor_id,
        department_id=None if session.doctor_id else session.department_id,
        starts_on=session.date,
        ends_on=session.date,
        text=text + "停诊:" + reason,
    )
    booked = (
        Appointment.objects.filter(session=session, status=AppointmentStatus.BOOKED)
        .select_related("session__department", "session__doctor", "slot", "patient__owner")
        .order_by("queue_number")
    )
    for appointment in booked:
        notify.suspension(appointment, reason)
    return notice
