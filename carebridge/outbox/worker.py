"""The built-in worker: claims outbox rows with a conditional update and runs their handlers.

Two workers never take the same row (the claim is ``UPDATE … WHERE claimed_at IS <seen>``, checked
by its row count, on SQLite and PostgreSQL alike). A worker that dies mid-message leaves a claim
that expires after OUTBOX_LEASE_SECONDS; the next worker takes the row again, and the handler's
idempotency key (WeChat's client_msg_id / clientmsgid = the row id) stops a second delivery.

Topics with a batch handler (``registry.batch_handler``) are claimed many rows at a time, with one
``UPDATE … WHERE id IN (…) AND <still claimable> RETURNING id``: the same condition, so the same
guarantee, and one handler call and a few statements for the lot.

A passing failure (RetryLater, or a crash) is retried with a backoff of 2 s doubling to at most
10 minutes, for the topic's retry period from the first failure (OUTBOX_RETRY_HOURS, 24 h unless
the topic says otherwise); then the row is failed and raises a staff alert (the back office's
banner, a log line at ERROR). The first message of a topic to go through after failing wakes the
others waiting out a backoff, so once WeChat answers again the backlog goes at once. Messages to
one recipient go in the order they were written: a row is due only when no older row to the same
recipient is still waiting. A row past its ``expires_at`` is dropped (``expired``), never sent late.
"""

import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.lib.bulk import update_rows
from carebridge.lib.http import outgoing

from .models import OutboxMessage, OutboxStatus
from .registry import (
    BATCH_HANDLERS,
    DROPPED,
    HANDLERS,
    SWEEPS,
    GiveUp,
    RetryLater,
    retry_period,
)

log = logging.getLogger("carebridge.outbox")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claimable():
    """Rows due now, unclaimed (or their claim expired), and first in line for their recipient:
    a row waits while an older row to the same recipient is still in line (due, claimed or
    retrying after a failure), so messages to one person never overtake each other. An older
    row delayed on purpose and not yet due (``enqueue(delay=…)``) holds nothing up."""
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    # Found through the partial index outbox_waiting_recipient (pending rows only).
    older_in_line = OutboxMessage.objects.filter(
        Q(available_at__lte=now) | Q(failing_since__isnull=False) | Q(claimed_at__isnull=False),
        recipient=OuterRef("recipient"),
        status=OutboxStatus.PENDING,
        id__lt=OuterRef("id"),
    ).exclude(recipient="")
    return OutboxMessage.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease_expired),
        ~Exists(older_in_line),
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
    if message.is_expired(timezone.now()):
        expire([message])
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
    if message.failing_since is not None:
        _wake(message.topic)


def process_batch(messages: list[OutboxMessage]) -> None:
    """Run claimed messages of one batch topic through its handler, in one call, and record the
    outcomes: the sent ones with one UPDATE, each failure as ``process`` records it. Messages
    past their ``expires_at`` are dropped first."""
    now = timezone.now()
    if any(m.is_expired(now) for m in messages):
        expire([m for m in messages if m.is_expired(now)])
        messages = [m for m in messages if not m.is_expired(now)]
        if not messages:
            return
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
    if any(message.failing_since is not None for message, _response in sent):
        _wake(messages[0].topic)


NO_OUTCOME = RetryLater("the batch handler gave no outcome for this message")


def _stored(response):
    return response if isinstance(response, dict | list) else None


def _record_sent(sent: list[tuple[OutboxMessage, dict | list | None]]) -> None:
    """Mark messages sent, each with its answer, in one UPDATE."""
    for message, _response in sent:
        message.status = OutboxStatus.SENT
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
    """Try again after the backoff, unless the topic's retry period has run out since the
    first failure: then the message is failed for good and staff are alerted."""
    now = timezone.now()
    since = message.failing_since or now
    period = retry_period(message.topic)
    deadline = since + period
    if now >= deadline:
        _give_up_after_retrying(message, error, period)
        return
    message.status = OutboxStatus.PENDING
    message.last_error = error[:2000]
    # The last try falls on the deadline itself, not a backoff past it.
    message.available_at = min(now + message.backoff(), deadline)
    message.claimed_at = None
    message.failing_since = since
    message.save(
        update_fields=["status", "last_error", "available_at", "claimed_at", "failing_since"]
    )


def _give_up_after_retrying(message: OutboxMessage, error: str, period: timedelta) -> None:
    message.status = OutboxStatus.FAILED
    message.alert = True
    message.claimed_at = None
    message.last_error = _("重试 %(period)s后仍未发出：%(error)s") % {
        "period": period_text(period),
        "error": error,
    }
    message.last_error = message.last_error[:2000]
    message.save(update_fields=["status", "alert", "claimed_at", "last_error"])
    log.error(
        "outbox #%s %s: failed after retrying for %g h (staff alerted): %s",
        message.id,
        message.topic,
        period.total_seconds() / 3600,
        error,
    )
    _dropped([message])


def period_text(period: timedelta) -> str:
    """A retry period as staff read it: "24 小时", "30 分钟"."""
    minutes = round(period.total_seconds() / 60)
    if minutes >= 60 and minutes % 60 == 0:
        return _("%(hours)d 小时") % {"hours": minutes // 60}
    return _("%(minutes)d 分钟") % {"minutes": minutes}


def expire(messages: list[OutboxMessage]) -> None:
    """Drop claimed messages whose moment passed before they could be sent (``expires_at``):
    marked ``expired`` with the reason, never sent late."""
    for message in messages:
        message.status = OutboxStatus.EXPIRED
        message.last_error = _("已过期：%(when)s 前未能发出，不再发送") % {
            "when": timezone.localtime(message.expires_at).strftime("%Y-%m-%d %H:%M")
        }
    update_rows(
        OutboxMessage,
        {m.id: {"last_error": m.last_error} for m in messages},
        status=OutboxStatus.EXPIRED,
        claimed_at=None,
    )
    for message in messages:
        log.info("outbox #%s %s: %s", message.id, message.topic, message.last_error)
    _dropped(messages)


def _dropped(messages: list[OutboxMessage]) -> None:
    """Tell the topic of its messages that will never be sent (registry.on_drop)."""
    func = DROPPED.get(messages[0].topic)
    if func is None:
        return
    try:
        func(messages)
    except Exception:  # the outbox rows are marked already; the topic's own rows stay as they are
        log.exception(
            "outbox %s: recording %d dropped messages failed", messages[0].topic, len(messages)
        )


def _wake(topic: str) -> None:
    """A message of ``topic`` that had been failing went through: whatever failed has passed
    (WeChat answers again). Its other messages waiting out a backoff are due at once, so the
    backlog goes now, oldest first, instead of each at the end of a pause of up to 10 minutes.
    Rows delayed on purpose (``enqueue(delay=…)``) never failed and are left alone."""
    now = timezone.now()
    woken = OutboxMessage.objects.filter(
        topic=topic,
        status=OutboxStatus.PENDING,
        failing_since__isnull=False,
        claimed_at__isnull=True,
        available_at__gt=now,
    ).update(available_at=now)
    if woken:
        log.info("outbox %s: a failing message went through; %d waiting are due now", topic, woken)


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
