"""What each kind of order does once paid or closed, registered by the module that owns the
kind (booking's fee, outpatient bills, deposits), so that orders.py knows none of them.

``on_paid(order)``, ``on_closed(order)`` and ``on_refunded(refund)`` (a refund reached
SUCCESS) run inside the transaction that changes the order's
state, once per change: they write what must hold with the payment (the appointment paid, the
bills settled, the deposit credited) and queue slow follow-ups (messages, HIS write-back)
through the outbox, never a network call."""

from collections.abc import Callable

ON_PAID: dict[str, Callable] = {}
ON_CLOSED: dict[str, Callable] = {}
ON_REFUNDED: dict[str, Callable] = {}


def on_paid(kind: str):
    def register(func):
        ON_PAID[kind] = func
        return func

    return register


def on_closed(kind: str):
    def register(func):
        ON_CLOSED[kind] = func
        return func

    return register


def on_refunded(kind: str):
    def register(func):
        ON_REFUNDED[kind] = func
        return func

    return register
