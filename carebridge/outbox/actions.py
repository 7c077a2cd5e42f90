from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutboxMessage


def enqueue(
    topic: str,
    payload: dict,
    dedup_key: str | None = None,
    delay=None,
    *,
    recipient: str = "",
    expires_at: datetime | None = None,
) -> OutboxMessage:
    """Write an outbox row in the caller's transaction; the worker sends it after commit.

    With ``dedup_key`` the same side effect is enqueued once: a second call returns the first row.
    Without one it is a single INSERT, which needs no savepoint of its own. Rows with the same
    ``recipient`` are sent in the order they were written; past ``expires_at`` a row is dropped
    (status ``expired``) instead of being sent late.
    """
    fields = {
        "topic": topic,
        "payload": payload,
        "dedup_key": dedup_key,
        "recipient": recipient,
        "expires_at": expires_at,
    }
    if delay is not None:
        fields["available_at"] = timezone.now() + delay
    if dedup_key is None:
        return OutboxMessage.objects.create(**fields)
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(**fields)
    except IntegrityError:
        return OutboxMessage.objects.get(dedup_key=dedup_key)


def enqueue_many(
    topic: str,
    payloads: list[dict],
    recipients: list[str] | None = None,
    expires: list[datetime | None] | None = None,
) -> list[OutboxMessage]:
    """Write one outbox row of ``topic`` per payload, in one INSERT, in the caller's transaction;
    the rows come back with their ids (on SQLite and PostgreSQL alike). No dedup keys; each
    row's ``recipient`` and ``expires_at`` (as ``enqueue`` takes them) come from the lists."""
    recipients = recipients or [""] * len(payloads)
    expires = expires or [None] * len(payloads)
    return OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(topic=topic, payload=payload, recipient=recipient, expires_at=expiry)
            for payload, recipient, expiry in zip(payloads, recipients, expires, strict=True)
        ]
    )
