"""The 5-second rule: a slow action's answer, computed by the worker and sent afterwards as a
customer-service message (``actions.messaging.send_custom_message``: window checked, one grant
unit spent, an outbox row for the API call).

The customer-service message is queued in the same transaction that marks this outbox row
done, so a worker that dies after that commit leaves nothing to redo: the answer goes once.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from carebridge.institutions.models import WeChatAccount
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.outbox.registry import GiveUp, RetryLater, handler

from .actions.messaging import send_custom_message
from .handlers import ACTIONS, Context
from .limits import LimitExceeded
from .messages import Malformed, normalise
from .models import Follower
from .router import SLOW_REPLY_TOPIC

log = logging.getLogger("carebridge.wechat")


def custom_message(answer) -> str | dict:
    """An action's answer in the customer-service API's form (text, or news articles)."""
    if isinstance(answer, str):
        return answer
    articles = [
        {
            "title": a.get("title", ""),
            "description": a.get("description", ""),
            "url": a.get("url", ""),
            "picurl": a.get("picurl", ""),
        }
        for a in list(answer)[:1]  # WeChat sends one article in a customer-service news message
    ]
    return {"msgtype": "news", "news": {"articles": articles}}


# An answer to what the user just asked is stale within the hour: not retried for a day.
@handler(SLOW_REPLY_TOPIC, retry_for=timedelta(hours=1))
def deliver_slow_reply(row: OutboxMessage) -> dict:
    """Run the queued action and send its answer to the user who asked."""
    payload = row.payload
    account = WeChatAccount.objects.select_related("institution").filter(pk=payload.get("account"))
    account = account.first()
    registered = ACTIONS.get(payload.get("action", ""))
    if account is None or registered is None:
        raise GiveUp(f"account {payload.get('account')} or action {payload.get('action')!r} gone")
    try:
        message = normalise(payload.get("message") or {})
    except Malformed as exc:
        raise GiveUp(f"queued message unreadable: {exc}") from exc
    follower = Follower.objects.filter(account=account, openid=message.openid).first()
    try:
        answer = registered.func(Context(account, follower, message, payload.get("query", "")))
    except (RetryLater, GiveUp):
        raise
    except Exception as exc:  # a bug or an outage in the action: retried with backoff, bounded
        log.exception("slow action %r failed", registered.name)
        raise RetryLater(f"{registered.name}: {exc.__class__.__name__}: {exc}") from exc
    if not answer:
        return {"answered": False}
    return _send(row, account, message.openid, custom_message(answer))


def _send(row: OutboxMessage, account, openid: str, body) -> dict:
    try:
        with transaction.atomic():
            mine = OutboxMessage.objects.filter(
                pk=row.pk, status=OutboxStatus.PENDING, claimed_at=row.claimed_at
            ).update(status=OutboxStatus.SENT, sent_at=timezone.now())
            if not mine:
                return {"answered": False, "reason": "claimed by another worker"}
            sent = send_custom_message(account, openid, body)
    except LimitExceeded as exc:  # the window closed (slow indeed), or the answer is too long
        raise GiveUp("; ".join(str(m) for m in exc.messages)) from exc
    return {"answered": True, "custom_message": sent.pk}
