"""Topic → handler. A handler gets the message and returns WeChat's answer (a dict)."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}
# Batch jobs the worker runs on every pass besides the outbox rows: each applies what is waiting
# (at most one batch) and returns how much it did, 0 when nothing was waiting.
SWEEPS: dict[str, Callable[[], int]] = {}


class RetryLater(Exception):
    """A passing failure (network, WeChat busy): try again after a backoff."""


class GiveUp(Exception):
    """A permanent failure (bad request, quota exhausted): do not retry."""


def handler(topic: str):
    def register(func):
        HANDLERS[topic] = func
        return func

    return register


def sweep(name: str):
    def register(func):
        SWEEPS[name] = func
        return func

    return register
