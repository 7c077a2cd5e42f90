"""Topic → handler. A handler gets the message and returns WeChat's answer (a dict).

A topic may also say how long its passing failures are retried (``retry_for``, else
OUTBOX_RETRY_HOURS) and what to do with messages given up unsent (``on_drop``): retried for
that long in vain, or past their ``expires_at``.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings

HANDLERS: dict[str, Callable] = {}
# Topics whose rows the worker hands over many at a time: topic → (function, batch size).
BATCH_HANDLERS: dict[str, tuple[Callable, int]] = {}
# Batch jobs the worker runs besides the outbox rows: name → (function, batch size). Called with
# ``limit=batch``, each applies at most that much of what is waiting and returns how much it did.
SWEEPS: dict[str, tuple[Callable[..., int], int]] = {}
# Topics retried for a period of their own instead of OUTBOX_RETRY_HOURS.
RETRY_FOR: dict[str, timedelta] = {}
# Topic → ``func(messages)``, told of its messages dropped unsent.
DROPPED: dict[str, Callable] = {}


class RetryLater(Exception):
    """A passing failure (network, WeChat busy): try again after a backoff."""


class GiveUp(Exception):
    """A permanent failure (bad request, quota exhausted): do not retry."""


def retry_period(topic: str) -> timedelta:
    """How long a message of ``topic`` is retried after its first passing failure."""
    return RETRY_FOR.get(topic) or timedelta(hours=settings.OUTBOX_RETRY_HOURS)


def _retry_for(topic: str, period: timedelta | None) -> None:
    if period is not None:
        RETRY_FOR[topic] = period


def handler(topic: str, retry_for: timedelta | None = None):
    def register(func):
        HANDLERS[topic] = func
        _retry_for(topic, retry_for)
        return func

    return register


def batch_handler(topic: str, size: int, retry_for: timedelta | None = None):
    """Register ``func(messages)`` for ``topic``: the worker claims up to ``size`` due rows of the
    topic with one conditional UPDATE, calls the function once with all of them and records the
    outcomes in bulk, so a burst of rows costs a few statements, not several per row.

    It returns ``{message id: outcome}``: what a handler would have returned for that message, or
    the exception it would have raised (RetryLater, GiveUp, anything else: retried like a crash).
    A message left without an outcome is retried later. When the call itself raises RetryLater
    or GiveUp, every message gets it; any other exception and the worker runs the messages again
    one at a time, so one bad message holds up only itself. Like any handler it must be safe to
    run again for a message it already carried out (a worker can die before recording it).
    The messages come oldest first, never two to one recipient (``worker.claimable``)."""

    def register(func):
        BATCH_HANDLERS[topic] = (func, size)
        _retry_for(topic, retry_for)
        return func

    return register


def on_drop(topic: str):
    """Register ``func(messages)``: called, after the worker has marked them, with messages of
    ``topic`` that will never be sent (``failed`` after retrying for the whole period, or
    ``expired``; each message's ``status`` and ``last_error`` say which and why), so the topic
    can record that on its own rows (a template send failed)."""

    def register(func):
        DROPPED[topic] = func
        return func

    return register


def sweep(name: str, batch: int):
    """Register ``func(limit=…)`` as a sweep. The worker runs it again at once after a full
    batch, and otherwise only on its next poll, so work arriving in a trickle is applied in
    batches of a poll's worth instead of one costly pass per message."""

    def register(func):
        SWEEPS[name] = (func, batch)
        return func

    return register
