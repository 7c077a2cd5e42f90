from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutboxMessage, OutboxStatus


def enqueue(
    topic: str,
    payload: dict,
    dedup_key: str | None = None,
    delay=None,
    *,
    recipient: str = "",
    expires_at: datetime | None = None,
    available_at: datetime | None = None,
) -> OutboxMessage:
    """Write an outbox row in the caller's transaction; the worker sends it after commit.

    It is due after ``delay`` from now, or at ``available_at`` (a moment the caller decided,
    such as when a delayed report is released), or at once.

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
    elif available_at is not None:
        fields["available_at"] = available_at
    if dedup_key is None:
        return OutboxMessage.objects.create(**fields)
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(**fields)
    except IntegrityError:
        return OutboxMessage.objects.get(dedup_key=dedup_key)


def enqueue_once(
    topic: str, payload: dict, dedup_key: str, *, available_at: datetime | None = None
) -> None:
    """Write an outbox row keyed ``dedup_key`` in the caller's transaction, unless one already
    is (then nothing changes). As ``enqueue`` with a key, for callers that do not need the row
    back: one INSERT … ON CONFLICT DO NOTHING, where ``enqueue`` needs a savepoint around its
    INSERT (three round trips). A key taken by a transaction still open waits for it to end,
    as ``enqueue``'s INSERT does."""
    row = OutboxMessage(topic=topic, payload=payload, dedup_key=dedup_key)
    if available_at is not None:
        row.available_at = available_at
    OutboxMessage.objects.bulk_create([row], ignore_conflicts=True)


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


def drop_unsent(rows, reason: str) -> int:
    """Mark the rows of the queryset ``rows`` that no worker has taken yet as never to be sent
    (status ``expired``, ``reason`` as their error), in the caller's transaction: what they
    announce stopped being true. Their topic is told, as of rows the worker drops
    (``registry.on_drop``: a template row's send is failed with the reason). A row a worker
    holds is left to its handler. Returns how many were dropped."""
    from .registry import DROPPED

    waiting = rows.filter(status=OutboxStatus.PENDING, claimed_at=None)
    ids = list(waiting.values_list("id", flat=True))
    dropped = OutboxMessage.objects.filter(
        id__in=ids, status=OutboxStatus.PENDING, claimed_at=None
    ).update(status=OutboxStatus.EXPIRED, last_error=reason[:2000], failing_since=None)
    by_topic: dict[str, list] = {}
    for row in OutboxMessage.objects.filter(id__in=ids, status=OutboxStatus.EXPIRED):
        by_topic.setdefault(row.topic, []).append(row)
    for topic, messages in by_topic.items():
        if topic in DROPPED:
            DROPPED[topic](messages)
    return dropped
