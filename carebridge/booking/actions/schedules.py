"""Sessions, their channel pools and numbered slots; generation from weekly templates."""

import logging
from datetime import date, datetime, timedelta

import chinese_calendar
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ClinicSession, ClosedDay, ScheduleTemplate, SessionQuota, Slot
from ..models.schedules import QUOTA_FIELDS

log = logging.getLogger("carebridge.booking")

# Slots share time windows no shorter than this: 300 places in a morning get 5-minute windows
# of several numbers each rather than meaningless 42-second ones.
MIN_WINDOW_MINUTES = 5


def slot_windows(session: ClinicSession) -> list[tuple[datetime, datetime]]:
    """The time window of each number 1..capacity, spread evenly over the session."""
    start, end = session.starts_at, session.ends_at
    minutes = int((end - start).total_seconds() // 60)
    windows = max(1, min(session.capacity, minutes // MIN_WINDOW_MINUTES))
    step = (end - start) / windows
    result = []
    for i in range(session.capacity):
        w = i * windows // session.capacity
        result.append((start + step * w, start + step * (w + 1)))
    return result


@transaction.atomic
def create_session(*, template: ScheduleTemplate | None = None, **fields) -> ClinicSession:
    """Create a session with one pool per channel and ``capacity`` numbered slots.

    ``fields`` are ClinicSession fields (institution, department, doctor, date, period,
    start_time, end_time, fee, capacity, quota_*); validated like the admin form."""
    session = ClinicSession(template=template, **fields)
    session.full_clean(validate_constraints=False)
    session.save()
    SessionQuota.objects.bulk_create(
        SessionQuota(session=session, channel=channel, capacity=getattr(session, field))
        for channel, field in QUOTA_FIELDS.items()
    )
    Slot.objects.bulk_create(
        Slot(session=session, number=n, starts_at=start, ends_at=end)
        for n, (start, end) in enumerate(slot_windows(session), start=1)
    )
    return session


def is_statutory_holiday(day: date) -> bool:
    """A public holiday announced by the State Council (weekends are the templates' business).
    Years chinese-calendar does not know yet count as ordinary days; staff close such days with
    ClosedDay or suspend sessions."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        log.warning("chinese-calendar has no holiday data for %s", day.year)
        return False
    return on_holiday and name is not None


def generate_sessions(templates=None, today: date | None = None) -> list[ClinicSession]:
    """Create the sessions of active templates for their ``weeks_ahead`` weeks, skipping
    statutory holidays, the institution's closed days and sessions that already exist.

    Safe to run again and from cron: each session is its own transaction, and an existing one
    (unique per doctor or department clinic, date and period) is left as it is."""
    today = today or timezone.localdate()
    if templates is None:
        templates = ScheduleTemplate.objects.filter(is_active=True)
    created = []
    for tpl in templates.select_related("department", "doctor", "institution"):
        closed = set(
            ClosedDay.objects.filter(institution=tpl.institution_id, date__gte=today).values_list(
                "date", flat=True
            )
        )
        for offset in range(tpl.weeks_ahead * 7):
            day = today + timedelta(days=offset)
            if day.weekday() != tpl.weekday or day in closed or is_statutory_holiday(day):
                continue
            if (tpl.valid_from and day < tpl.valid_from) or (
                tpl.valid_until and day > tpl.valid_until
            ):
                continue
            existing = ClinicSession.objects.filter(
                department=tpl.department_id, doctor=tpl.doctor_id, date=day, period=tpl.period
            )
            if existing.exists():
                continue
            fields = {f: getattr(tpl, f) for f in QUOTA_FIELDS.values()}
            try:
                session = create_session(
                    template=tpl,
                    institution=tpl.institution,
                    department=tpl.department,
                    doctor=tpl.doctor,
                    date=day,
                    period=tpl.period,
                    clinic_type=tpl.clinic_type,
                    start_time=tpl.start_time,
                    end_time=tpl.end_time,
                    fee=tpl.fee,
                    fee_payment=tpl.fee_payment,
                    capacity=tpl.capacity,
                    **fields,
                )
            except IntegrityError:  # created meanwhile by another run
                continue
            created.append(session)
    return created
