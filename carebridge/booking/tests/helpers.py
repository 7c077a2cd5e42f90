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
