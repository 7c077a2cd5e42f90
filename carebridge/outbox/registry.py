"""Topic → handler. A handler gets the message and returns WeChat's answer (a dict)."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


class RetryLater(Exception):
    """A passing failure (network, WeChat busy): try again after a backoff."""


class GiveUp(Exception):
    """A permanent failure (bad request, quota exhausted): do not retry."""


def handler(topic: str):
    def register(func):
        HANDLERS[topic] = func
        return func

    return register
