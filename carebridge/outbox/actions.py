from django.db import IntegrityError, transaction

from .models import OutboxMessage


def enqueue(topic: str, payload: dict, dedup_key: str | None = None, delay=None) -> OutboxMessage:
    """Write an outbox row in the caller's transaction; the worker sends it after commit.

    With ``dedup_key`` the same side effect is enqueued once: a second call returns the first row.
    Without one it is a single INSERT, which needs no savepoint of its own.
    """
    from django.utils import timezone

    fields = {"topic": topic, "payload": payload, "dedup_key": dedup_key}
    if delay is not None:
        fields["available_at"] = timezone.now() + delay
    if dedup_key is None:
        return OutboxMessage.objects.create(**fields)
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(**fields)
    except IntegrityError:
        return OutboxMessage.objects.get(dedup_key=dedup_key)


def enqueue_many(topic: str, payloads: list[dict]) -> list[OutboxMessage]:
    """Write one outbox row of ``topic`` per payload, in one INSERT, in the caller's transaction;
    the rows come back with their ids (on SQLite and PostgreSQL alike). No dedup keys."""
    return OutboxMessage.objects.bulk_create(
        [OutboxMessage(topic=topic, payload=payload) for payload in payloads]
    )
