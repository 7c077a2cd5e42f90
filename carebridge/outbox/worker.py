"""The built-in worker: claims outbox rows with a conditional update and runs their handlers.

Two workers never take the same row (the claim is ``UPDATE … WHERE claimed_at IS <seen>``, checked
by its row count, on SQLite and PostgreSQL alike). A worker that dies mid-message leaves a claim
that expires after OUTBOX_LEASE_SECONDS; the next worker takes the row again, and the handler's
idempotency key (WeChat's client_msg_id / clientmsgid = the row id) stops a second delivery.
"""

import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage, OutboxStatus
from .registry import HANDLERS, SWEEPS, GiveUp, RetryLater

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


def process(message: OutboxMessage) -> None:
    """Run one claimed message's handler and record the outcome."""
    message.refresh_from_db()
    func = HANDLERS.get(message.topic)
    try:
        if func is None:
            raise GiveUp(f"no handler for topic {message.topic!r}")
        response = func(message)
    except RetryLater as exc:
        _retry_later(message, str(exc))
        log.warning("outbox #%s %s: retry later: %s", message.id, message.topic, exc)
        return
    except GiveUp as exc:
        message.status = OutboxStatus.FAILED
        message.last_error = str(exc)[:2000]
        message.response = getattr(exc, "response", None)
        message.save(update_fields=["status", "last_error", "response"])
        log.error("outbox #%s %s: gave up: %s", message.id, message.topic, exc)
        return
    except Exception as exc:
        # A bug or an outage the handler did not foresee: retried with the same backoff and the
        # same bound, instead of staying claimed until its lease runs out, forever.
        _retry_later(message, f"{exc.__class__.__name__}: {exc}")
        log.exception("outbox #%s %s: handler crashed", message.id, message.topic)
        return
    message.status = OutboxStatus.SENT
    message.sent_at = timezone.now()
    message.response = response if isinstance(response, dict | list) else None
    message.last_error = ""
    message.save(update_fields=["status", "sent_at", "response", "last_error"])


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
    for message in list(claimable().order_by("id")[:limit]):
        if claim(message, name):
            process(message)
            done += 1
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
