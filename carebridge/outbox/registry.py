"""Topic → handler. A handler gets the message and returns WeChat's answer (a dict)."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}
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


def sweep(name: str, batch: int):
    """Register ``func(limit=…)`` as a sweep. The worker runs it again at once after a full
    batch, and otherwise only on its next poll, so work arriving in a trickle is applied in
    batches of a poll's worth instead of one costly pass per message."""

    def register(func):
        SWEEPS[name] = (func, batch)
        return func

    return register
