"""Topic → handler. A handler gets the message and returns WeChat's answer (a dict)."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}
# Topics whose rows the worker hands over many at a time: topic → (function, batch size).
BATCH_HANDLERS: dict[str, tuple[Callable, int]] = {}
# Batch jobs the worker runs besides the outbox rows: name → (function, batch size). Called with
# ``limit=batch``, each applies at most that much of what is waiting and returns how much it did.
SWEEPS: dict[str, tuple[Callable[..., int], int]] = {}


class RetryLater(Exception):
    """A passing failure (network, WeChat busy): try again after a backoff."""


class GiveUp(Exception):
    """A permanent failure (bad request, quota exhausted): do not retry."""


def handler(topic: str):
    def register(func):
        HANDLERS[topic] = func
        return func

    return register


def batch_handler(topic: str, size: int):
    """Register ``func(messages)`` for ``topic``: the worker claims up to ``size`` due rows of the
    topic with one conditional UPDATE, calls the function once with all of them and records the
    outcomes in bulk, so a burst of rows costs a few statements, not several per row.

    It returns ``{message id: outcome}``: what a handler would have returned for that message, or
    the exception it would have raised (RetryLater, GiveUp, anything else: retried like a crash).
    A message left without an outcome is retried later. When the call itself raises RetryLater
    or GiveUp, every message gets it; any other exception and the worker runs the messages again
    one at a time, so one bad message holds up only itself. Like any handler it must be safe to
    run again for a message it already carried out (a worker can die before recording it)."""

    def register(func):
        BATCH_HANDLERS[topic] = (func, size)
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
