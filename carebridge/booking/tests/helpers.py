from datetime import datetime, time, timedelta

from django.utils import timezone

from carebridge.booking.actions import create_session
from carebridge.booking.models import Channel


def make_session(institution, department, doctor, day, *, capacity=4, period="morning", **quotas):
    """A session 08:00–12:00; quotas default to WeChat 2, window 1, kiosk 1 (for 4 places)."""
    quotas = quotas or {"quota_wechat": capacity - 2, "quota_window": 1, "quota_kiosk": 1}
    return create_session(
        institution=institution,
        department=department,
        doctor=doctor,
        date=day,
        period=period,
        start_time=time(8, 0),
        end_time=time(12, 0),
        fee=1400,
        capacity=capacity,
        **quotas,
    )


def at(day, hour, minute=0):
    """An aware Asia/Shanghai datetime."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def before_visit(session, hours=20):
    """A moment after release and before the cancellation deadline."""
    return session.starts_at - timedelta(hours=hours)


WECHAT = Channel.WECHAT


def write_confirmations() -> int:
    """Do what the worker does with the confirmations bookings queued; the WeChat sends they
    write stay queued. Returns how many rows were run."""
    from carebridge.booking.notify import CONFIRMATION_TOPIC
    from carebridge.outbox import worker
    from carebridge.outbox.models import OutboxMessage, OutboxStatus

    rows = list(OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC, status=OutboxStatus.PENDING))
    for row in rows:
        assert worker.claim(row, "test")
        worker.process(row)
    return len(rows)


def book(
    patient,
    session,
    channel,
    *,
    slot=None,
    booked_by=None,
    now=None,
    walk_in_name="",
    person_key="",
    api_client=None,
):
    """``book_appointment`` with a test's objects: ``patient`` (None: a walk-in, with
    ``walk_in_name`` and ``person_key``) into ``session``, in ``slot`` or the first free one."""
    from carebridge.booking.actions import book_appointment

    return book_appointment(
        session.institution,
        session.pk,
        channel,
        patient_id=patient.pk if patient is not None else None,
        walk_in_name=walk_in_name,
        person_key=person_key,
        slot_id=slot.pk if slot is not None else None,
        booked_by=booked_by,
        api_client=api_client,
        now=now,
    )
