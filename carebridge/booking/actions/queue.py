"""The day of the visit: check-in, calling patients in, no-shows."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notify, signals
from ..errors import QueueEmpty, SessionClosed, WrongState
from ..models import (
    Appointment,
    AppointmentStatus,
    BookingBan,
    BookingPolicy,
    ClinicSession,
    WaitRecord,
)
from ..queries import waiting_in

# Patients may check in from this long before their session starts.
CHECK_IN_OPENS_BEFORE = timedelta(hours=2)


@transaction.atomic
def check_in(appointment: Appointment, now=None) -> int:
    """Record the patient's arrival; returns their position among those waiting (1 = next)."""
    now = now or timezone.now()
    session = ClinicSession.objects.get(pk=appointment.session_id)  # as it is now
    if not session.is_open:
        raise SessionClosed()
    if not (session.starts_at - CHECK_IN_OPENS_BEFORE <= now < session.ends_at):
        raise WrongState(_("只能在就诊当天出诊开始前两小时至出诊结束前签到"))
    won = Appointment.objects.filter(id=appointment.id, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CHECKED_IN, checked_in_at=now
    )
    if not won:
        raise WrongState(_("该预约已签到、已取消或已爽约"))
    appointment.refresh_from_db()
    signals.appointment_checked_in.send(
        sender=Appointment, appointment=appointment, checked_in_at=now
    )
    return waiting_in(session).filter(queue_number__lt=appointment.queue_number).count() + 1


@transaction.atomic
def call_next(session: ClinicSession, now=None) -> Appointment:
    """Call the checked-in patient with the lowest number; record how long they waited and tell
    the patients now near the front."""
    now = now or timezone.now()
    for candidate in waiting_in(session).order_by("queue_number")[:5]:
        # Two staff pressing "next" at once never call the same patient.
        if Appointment.objects.filter(id=candidate.id, status=AppointmentStatus.CHECKED_IN).update(
            status=AppointmentStatus.CALLED, called_at=now
        ):
            break
    else:
        raise QueueEmpty()
    called = Appointment.objects.select_related("session").get(id=candidate.id)
    WaitRecord.objects.create(
        institution_id=session.institution_id,
        department_id=session.department_id,
        doctor_id=session.doctor_id,
        appointment=called,
        channel=called.channel,
        date=session.date,
        checked_in_at=called.checked_in_at,
        called_at=now,
        wait_seconds=max(int((now - called.checked_in_at).total_seconds()), 0),
    )
    policy = BookingPolicy.for_institution(session.institution)
    for appointment in waiting_in(session).order_by("queue_number")[: policy.turn_near_ahead + 1]:
        # Claimed before queuing the message, so it goes out once per appointment.
        if Appointment.objects.filter(id=appointment.id, turn_near_sent_at=None).update(
            turn_near_sent_at=now
        ):
            ahead = waiting_in(session).filter(queue_number__lt=appointment.queue_number).count()
            notify.turn_near(appointment, ahead)
    return called


@transaction.atomic
def mark_no_show(appointment: Appointment, now=None) -> BookingBan | None:
    """Record that a booked patient did not come. The place is not given back (its time has
    passed). An account reaching the institution's no-show limit is suspended from online
    booking; returns the new ban, if any."""
    now = now or timezone.now()
    if now < appointment.slot.starts_at:
        raise WrongState(_("就诊时段开始前不能记为爽约"))
    won = Appointment.objects.filter(id=appointment.id, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.NO_SHOW, no_show_at=now
    )
    if not won:
        raise WrongState(_("只有未签到的预约可以记为爽约"))
    follower = appointment.booked_by
    if follower is None:
        return None
    institution = appointment.session.institution
    policy = BookingPolicy.for_institution(institution)
    bans = BookingBan.objects.filter(follower=follower, institution=institution)
    if bans.in_force(now).exists():
        return None
    since = now - timedelta(days=policy.no_show_window_days)
    last_ban = bans.order_by("-starts_at").first()
    no_shows = Appointment.objects.filter(
        booked_by=follower,
        session__institution=institution,
        status=AppointmentStatus.NO_SHOW,
        no_show_at__gte=since,
    )
    if last_ban is not None:  # no-shows already punished do not count twice
        no_shows = no_shows.filter(no_show_at__gt=last_ban.starts_at)
    count = no_shows.count()
    if count < policy.no_show_limit:
        return None
    return BookingBan.objects.create(
        institution=institution,
        follower=follower,
        starts_at=now,
        ends_at=now + timedelta(days=policy.no_show_ban_days),
        no_shows=count,
    )
