"""Writes of the router: slow actions handed to the outbox."""

import hashlib

from django.db import transaction

from carebridge.outbox.actions import enqueue

from ..messages import Message

SLOW_REPLY_TOPIC = "wechat.slow_reply"


@transaction.atomic
def defer_action(account, message: Message, action: str, query: str = ""):
    """Queue a slow action: the worker runs it after the callback has answered ``success`` and
    sends its answer as a customer-service message. Queued once per inbound message, however
    often WeChat retries it."""
    digest = hashlib.sha256(f"{account.pk}:{message.dedup_key}:{action}".encode()).hexdigest()
    return enqueue(
        SLOW_REPLY_TOPIC,
        {"account": account.pk, "action": action, "query": query, "message": message.raw},
        dedup_key=f"{SLOW_REPLY_TOPIC}:{digest}",
    )


@transaction.atomic
def set_rules_active(queryset, active: bool) -> int:
    """Switch AutoReply rules on or off in bulk; every process reloads the accounts' rules."""
    from .. import rules as compiled

    accounts = set(queryset.values_list("account_id", flat=True))
    count = queryset.update(is_active=active)
    for account_id in accounts:  # a bulk update sends no signals: invalidate by hand
        compiled.invalidate(account_id)
        transaction.on_commit(lambda a=account_id: compiled.invalidate(a))
    return count
