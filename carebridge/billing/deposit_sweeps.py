"""The deposit's background work, run by ``carebridge worker``: refunds of the balance that
WeChat Pay closed unpaid come back to the balance (actions/deposits.py)."""

from carebridge.outbox.registry import sweep

from .actions.deposits import return_closed_refunds

BATCH = 50


@sweep("billing.deposit_closed_refunds", batch=BATCH)
def closed_refunds(limit: int) -> int:
    return return_closed_refunds(limit)
