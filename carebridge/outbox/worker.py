"""The built-in worker: claims outbox rows with a conditional update and runs their handlers.

Two workers never take the same row (the claim is ``UPDATE … WHERE claimed_at IS <seen>``, checked
by its row count, on SQLite and PostgreSQL alike). A worker that dies mid-message leaves a claim
that expires after OUTBOX_LEASE_SECONDS; the next worker takes the row again, and the handler's
idempotency key (WeChat's client_msg_id / clientmsgid = the row id) stops a second delivery.

Topics with a batch handler (``registry.batch_handler``) are claimed many rows at a time, with one
``UPDATE … WHERE id IN (…) AND <still claimable> RETURNING id``: the same condition, so the same
guarantee, and one handler call and a few statements for the lot.
"""

import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from carebridge.lib.bulk import update_rows
from carebridge.lib.http import outgoing

from .models import OutboxMessage, OutboxStatus
from .registry import BATCH_HANDLERS, HANDLERS, SWEEPS, GiveUp, RetryLater

log = logging.getLogger("carebridge.outbox")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claimable():
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    return OutboxMessage.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease_expired),
        status=OutboxStatus.PENDING,
        available_at__lte=now,
    )


def claim(message: OutboxMessage, name: str) -> bool:
    won = OutboxMessage.objects.filter(
        id=message.id, status=OutboxStatus.PENDING, claimed_at=message.claimed_at
    ).update(claimed_at=timezone.now(), claimed_by=name, attempts=F("attempts") + 1)
    return won == 1


def claim_batch(messages: list[OutboxMessage], name: str) -> list[OutboxMessage]:
    """Claim those of ``messages`` that are still due and unclaimed (or whose claim expired), with
    one conditional UPDATE; return the ones this call took, their ``attempts`` brought up to date.
    A row another worker claimed meanwhile fails the condition, so it is never taken twice."""
    if not messages:
        return []
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(messages))
    sql = (
        f"UPDATE {connection.ops.quote_name(OutboxMessage._meta.db_table)}"
        " SET claimed_at = %s, claimed_by = %s, attempts = attempts + 1"
        f" WHERE id IN ({marks}) AND status = %s AND available_at <= %s"
        " AND (claimed_at IS NULL OR claimed_at < %s) RETURNING id, attempts"
    )
    params = [adapt(now), name, *(m.id for m in messages)]
    params += [OutboxStatus.PENDING, adapt(now), adapt(lease_expired)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        attempts = dict(cursor.fetchall())
    claimed = [m for m in messages if m.id in attempts]
    for message in claimed:
        message.attempts, message.claimed_at, message.claimed_by = attempts[message.id], now, name
    return claimed


def process(message: OutboxMessage) -> None:
    """Run one claimed message's handler and record the outcome."""
    message.refresh_from_db()
    if message.topic in BATCH_HANDLERS:
        process_batch([message])
        return
    func = HANDLERS.get(message.topic)
    try:
        if func is None:
            raise GiveUp(f"no handler for topic {message.topic!r}")
        response = func(message)
    except Exception as exc:
        _record_failure(message, exc)
        return
    message.status = OutboxStatus.SENT
    message.sent_at = timezone.now()
    message.response = _stored(response)
    message.last_error = ""
    message.save(update_fields=["status", "sent_at", "response", "last_error"])


def process_batch(messages: list[OutboxMessage]) -> None:
    """Run claimed messages of one batch topic through its handler, in one call, and record the
    outcomes: the sent ones with one UPDATE, each failure as ``process`` records it."""
    func, _size = BATCH_HANDLERS[messages[0].topic]
    try:
        outcomes = func(messages)
    except (RetryLater, GiveUp) as exc:
        outcomes = dict.fromkeys((m.id for m in messages), exc)
    except Exception as exc:
        if len(messages) == 1:
            outcomes = {messages[0].id: exc}
        else:
            # One bad message (or a passing outage) must not fail the others with it.
            log.exception(
                "outbox %s: a batch of %d crashed; running it one message at a time",
                messages[0].topic,
                len(messages),
            )
            for message in messages:
                process_batch([message])
            return
    sent = []
    for message in messages:
        outcome = outcomes.get(message.id, NO_OUTCOME)
        if isinstance(outcome, Exception):
            _record_failure(message, outcome)
        else:
            sent.append((message, _stored(outcome)))
    _record_sent(sent)


NO_OUTCOME = RetryLater("the batch handler gave no outcome for this message")


def _stored(response):
    return response if isinstance(response, dict | list) else None


def _record_sent(sent: list[tuple[OutboxMessage, dict | list | None]]) -> None:
    """Mark messages sent, each with its answer, in one UPDATE."""
    update_rows(
        OutboxMessage,
        {message.id: {"response": response} for message, response in sent},
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
    )


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    if isinstance(exc, RetryLater):
        _retry_later(message, str(exc))
        log.warning("outbox #%s %s: retry later: %s", message.id, message.topic, exc)
    elif isinstance(exc, GiveUp):
        message.status = OutboxStatus.FAILED
        message.last_error = str(exc)[:2000]
        message.response = getattr(exc, "response", None)
        message.save(update_fields=["status", "last_error", "response"])
        log.error("outbox #%s %s: gave up: %s", message.id, message.topic, exc)
    else:
        # A bug or an outage the handler did not foresee: retried with the same backoff and the
        # same bound, instead of staying claimed until its lease runs out, forever.
        _retry_later(message, f"{exc.__class__.__name__}: {exc}")
        log.error("outbox #%s %s: handler crashed", message.id, message.topic, exc_info=exc)


def _retry_later(message: OutboxMessage, error: str) -> None:
    give_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    message.status = OutboxStatus.FAILED if give_up else OutboxStatus.PENDING
    message.last_error = error[:2000]
    message.available_at = timezone.now() + message.backoff()
    message.claimed_at = None
    message.save(update_fields=["status", "last_error", "available_at", "claimed_at"])


def run_once(name: str | None = None, limit: int = 50) -> int:
    """Claim and process what is due now; return how many messages were processed."""
    name = name or worker_name()
    done = 0
    batches: dict[str, list[OutboxMessage]] = {}
    for message in list(claimable().order_by("id")[:limit]):
        if message.topic in BATCH_HANDLERS:
            batches.setdefault(message.topic, []).append(message)
        elif claim(message, name):
            process(message)
            done += 1
    for topic, messages in batches.items():
        size = BATCH_HANDLERS[topic][1]
        for start in range(0, len(messages), size):
            claimed = claim_batch(messages[start : start + size], name)
            if claimed:
                process_batch(claimed)
                done += len(claimed)
    return done


def sweep_once() -> int:
    """Run each registered sweep once (one batch each); return how much they did in all. A
    failing sweep is logged and left for the next pass: what it had not applied stays waiting."""
    return sum(_sweep_pass().values())


def _sweep_pass() -> dict[str, int]:
    done = {}
    for name, (func, batch) in SWEEPS.items():
        try:
            done[name] = func(limit=batch)
        except Exception:
            log.exception("sweep %s failed", name)
            done[name] = 0
    return done


def _backlog_left(swept: dict[str, int]) -> bool:
    """Did a sweep fill its batch (so more is probably waiting)?"""
    return any(swept[name] >= SWEEPS[name][1] for name in swept)


def run_forever(stop=lambda: False) -> None:
    name = worker_name()
    log.info("outbox worker %s started", name)
    # The HTTP client's TLS context takes about 150 ms of CPU to build: built now, it is not
    # paid by the first message, which at release time is one of the rush's confirmations.
    outgoing()
    while not stop():
        close_old_connections()
        try:
            done = run_once(name)
        except Exception:  # keep the worker alive; the row stays claimable after its lease
            log.exception("outbox worker pass failed")
            done = 0
        # Sweeps run again at once only after a full batch: one pass per poll otherwise, so a
        # steady trickle is applied a poll's worth at a time, not a costly pass per message.
        if _backlog_left(_sweep_pass()):
            continue
        if not done:
            time.sleep(settings.OUTBOX_POLL_SECONDS)
