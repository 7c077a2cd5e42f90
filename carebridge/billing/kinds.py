"""What each kind of order does once paid or closed, registered by the module that owns the
kind (booking's fee, outpatient bills, deposits), so that orders.py knows none of them.

``on_paid(order)``, ``on_closed(order)`` and ``on_refunded(refund)`` (a refund reached
SUCCESS) run inside the transaction that changes the order's
state, once per change: they write what must hold with the payment (the appointment paid, the
bills settled, the deposit credited) and queue slow follow-ups (messages, HIS write-back)
through the outbox, never a network call.

A kind registered ``on_paid(kind, in_worker=True)`` has its ``on_paid`` run by the worker's
sweep instead (``actions.orders.follow_up_payments``): the payment's claim marks the order
``follow_up_due`` in the same UPDATE, so the notification writes nothing of the kind's and
answers sooner. Its ``on_paid`` runs once, in the transaction that clears the mark, and must
expect the order to have been paid a little while ago: the order's pages say paid at once, and
a cancellation may have come in between. The registration fee's does (registration.py;
bench/RESULTS.md, "Payments")."""

from collections.abc import Callable

ON_PAID: dict[str, Callable] = {}
ON_CLOSED: dict[str, Callable] = {}
ON_REFUNDED: dict[str, Callable] = {}
# Kinds whose on_paid the worker runs after the payment's commit (Order.follow_up_due).
IN_WORKER: set[str] = set()


def on_paid(kind: str, in_worker: bool = False):
    def register(func):
        ON_PAID[kind] = func
        if in_worker:
            IN_WORKER.add(kind)
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
