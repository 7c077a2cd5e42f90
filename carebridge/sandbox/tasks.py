"""The sandbox's own timed work, run by the outbox worker as a sweep (``carebridge worker``,
which the demo starts): WeChat Pay's refunds going through and its notifications delivered on
WeChat's retry schedule. The sandbox app exists only outside production, so a production
worker never has this sweep."""

from carebridge.outbox.registry import sweep

from .wxpay import notify, refunds

BATCH = 20


@sweep("sandbox.wxpay", batch=BATCH)
def run_wxpay_due(limit: int) -> int:
    """Settle the refunds and try the notifications that are due, a batch of each."""
    return refunds.settle_due(limit=limit) + notify.deliver_due(limit=limit)
