"""Reads of the booking app, for its own views and for other apps.

upcoming_sessions(doctor, days=7)  -> [UpcomingSession] for the doctor's page (institutions)
appointments_of(follower)          -> the user's appointments, newest visit first
get_appointment_for(follower, id)  -> Appointment or Http404 (another user's id is a 404)
waiting_in(session)                -> checked-in appointments not yet called
session_queue(session)             -> QueueState: waiting now and estimated wait
todays_queues(institution)         -> [(session, QueueState)] for today
"""

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from .models import (
    Appointment,
    AppointmentStatus,
    BookingPolicy,
    Channel,
    ClinicSession,
    SessionQuota,
    SessionStatus,
)


@dataclass(frozen=True)
class UpcomingSession:
    session: ClinicSession
    date: date
    period_label: str
    fee: int  # fen
    remaining: int  # places left for WeChat bookings
    booking_url: str
    released: bool
    suspended: bool


def default_account_slug(institution_id) -> str | None:
    from carebridge.institutions.models import WeChatAccount

    return (
        WeChatAccount.objects.filter(institution=institution_id)
        .order_by("id")
        .values_list("slug", flat=True)
        .first()
    )


def with_wechat_pool(sessions):
    return sessions.prefetch_related(
        Prefetch(
            "pools", queryset=SessionQuota.objects.filter(channel=Channel.WECHAT), to_attr="wx"
        )
    )


def wechat_remaining(session) -> int:
    pools = getattr(session, "wx", None)
    if pools is None:
        pools = list(session.pools.filter(channel=Channel.WECHAT))
    return pools[0].remaining if pools else 0


def upcoming_sessions(doctor, days: int = 7, account_slug: str | None = None, now=None):
    """The doctor's sessions from today for ``days`` days, suspended ones included (flagged), for
    the doctor's page. ``booking_url`` opens the slot list in ``account_slug``'s H5 pages (the
    institution's first account by default)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    slug = account_slug or default_account_slug(doctor.institution_id)
    policy = BookingPolicy.for_institution(doctor.institution)
    sessions = with_wechat_pool(
        ClinicSession.objects.filter(
            doctor=doctor, date__gte=today, date__lt=today + timedelta(days=days)
        ).select_related("department", "institution")
    )
    result = []
    for s in sessions:
        if s.ends_at <= now:
            continue
        url = reverse("booking:session", kwargs={"slug": slug, "session_id": s.pk}) if slug else ""
        result.append(
            UpcomingSession(
                session=s,
                date=s.date,
                period_label=str(s.get_period_display()),
                fee=s.fee,
                remaining=wechat_remaining(s),
                booking_url=url,
                released=s.is_released(policy, now),
                suspended=s.is_suspended,
            )
        )
    return result


def appointments_of(follower):
    return (
        Appointment.objects.of_follower(follower)
        .select_related("session__department", "session__doctor", "patient", "slot")
        .order_by("-session__date", "-session__start_time", "-id")
    )


def get_appointment_for(follower, appointment_id) -> Appointment:
    try:
        return appointments_of(follower).get(pk=int(appointment_id))
    except (Appointment.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("no such appointment for this user") from exc


def waiting_in(session):
    return Appointment.objects.filter(session=session, status=AppointmentStatus.CHECKED_IN)


def queue_position(appointment) -> int | None:
    """1 for the next patient to be called; None unless checked in and waiting."""
    if appointment.status != AppointmentStatus.CHECKED_IN:
        return None
    ahead = waiting_in(appointment.session_id).filter(queue_number__lt=appointment.queue_number)
    return ahead.count() + 1


def consultation_minutes(doctor_or_department, policy, now=None) -> float:
    """Typical minutes between two calls of the same session over the past week: the median of
    recent intervals, or the institution's default when there are too few."""
    now = now or timezone.now()
    field = (
        "session__doctor"
        if doctor_or_department._meta.model_name == "doctor"
        else ("session__department")
    )
    calls = list(
        Appointment.objects.filter(
            **{field: doctor_or_department},
            called_at__gte=now - timedelta(days=7),
        )
        .order_by("-called_at")
        .values_list("session_id", "called_at")[:60]
    )
    gaps = [
        (a[1] - b[1]).total_seconds() / 60
        for a, b in zip(calls, calls[1:], strict=False)
        if a[0] == b[0]
    ]
    if len(gaps) < 3:
        return float(policy.default_consultation_minutes)
    return max(median(gaps), 1.0)


@dataclass(frozen=True)
class QueueState:
    waiting: int
    minutes_per_patient: float

    def estimated_wait(self, ahead: int | None = None) -> int:
        """Minutes until a patient with ``ahead`` patients before them (default: a newcomer
        behind everyone waiting) is called."""
        n = self.waiting if ahead is None else ahead
        return round(n * self.minutes_per_patient)


def session_queue(session, now=None) -> QueueState:
    policy = BookingPolicy.for_institution(session.institution)
    who = session.doctor if session.doctor_id else session.department
    return QueueState(waiting_in(session).count(), consultation_minutes(who, policy, now))


def todays_queues(institution, now=None):
    """[(session, QueueState)] for the institution's sessions running today."""
    now = now or timezone.now()
    sessions = ClinicSession.objects.filter(
        institution=institution, date=timezone.localtime(now).date(), status=SessionStatus.OPEN
    ).select_related("department", "doctor", "institution")
    return [(s, session_queue(s, now)) for s in sessions]
