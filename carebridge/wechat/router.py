"""The router: which reply an inbound message gets, decided by the account's AutoReply rules.

- text, and voice with WeChat's recognition text: keyword rules (exact, contains, regular
  expression; higher priority first, then the older rule), else the default reply; other
  messages (image, video, location…) get the default reply;
- subscribe: the welcome for the QR scene it came through (``qrscene_<scene>``), else the
  general welcome; SCAN of a scene with a welcome: that welcome;
- menu events carrying a key (CLICK, scancode_*, pic_*, location_select): the CLICK rule for
  that key; VIEW, LOCATION, unsubscribe and job reports: no reply.

A rule answers with text, articles or a named action (handlers.py); a slow action is queued
in the outbox and the callback answers ``success`` (slow_replies.py sends its answer later).
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.db import transaction

from carebridge.outbox.actions import enqueue

from . import rules, xml
from .handlers import ACTIONS, Answer, Context
from .messages import MENU_KEY_EVENTS, MESSAGE_TYPES, Message, normalise
from .models.routing import NEWS_MAX_ARTICLES, ReplyType

log = logging.getLogger("carebridge.wechat")

SLOW_REPLY_TOPIC = "wechat.slow_reply"


def route(account, message: Message | dict, follower=None) -> str:
    """The reply XML for ``message`` ('' means answer ``success``). Runs inside the callback's
    transaction; ``follower`` is the sender's Follower when the caller already has it."""
    if not isinstance(message, Message):
        message = normalise(message)
    found = match(account, message)
    if found is None:
        return ""
    rule, query = found
    return render(message, answer(account, message, rule, query, follower))


def quick_reply(account, message: Message) -> str | None:
    """The reply XML when answering writes nothing (a text or articles rule, or no rule: '');
    None when the rule runs an action, which may read or write the database."""
    found = match(account, message)
    if found is None:
        return ""
    rule, query = found
    if rule.reply_type == ReplyType.ACTION:
        return None
    return render(message, answer(account, message, rule, query))


def match(account, message: Message) -> tuple[rules.Rule, str] | None:
    """The rule that answers ``message`` and the text left after its keyword, or None."""
    ruleset = rules.for_account(account.pk)
    if not message.is_event:
        if message.msg_type not in MESSAGE_TYPES:
            return None
        hit = ruleset.match_keyword(message.text) if message.text else None
        if hit is not None:
            return hit
        return (ruleset.default, "") if ruleset.default else None
    rule = None
    if message.event == "subscribe":
        rule = ruleset.welcome.get(message.scene) or ruleset.welcome.get("")
    elif message.event == "scan" and message.scene:
        rule = ruleset.welcome.get(message.scene)
    elif message.event in MENU_KEY_EVENTS and message.event_key:
        rule = ruleset.clicks.get(message.event_key)
    return (rule, "") if rule else None


def answer(account, message: Message, rule: rules.Rule, query: str, follower=None) -> Answer:
    if rule.reply_type == ReplyType.TEXT:
        return rule.text
    if rule.reply_type == ReplyType.NEWS:
        return list(rule.articles)
    return run_action(account, message, rule.action, query, follower)


def run_action(account, message: Message, name: str, query: str, follower=None) -> Answer:
    """Run the action now, or queue it when it is slow. A failing action is logged and answers
    nothing: the user is better served by silence than by WeChat's "service unavailable"."""
    registered = ACTIONS.get(name)
    if registered is None:
        log.warning("router action %r is not registered (account %s)", name, account.slug)
        return None
    if registered.slow:
        defer_action(account, message, name, query)
        return None
    if follower is None:
        follower = account.followers.filter(openid=message.openid).first()
    try:
        with transaction.atomic():  # a failing action's writes go, the callback's stay
            return registered.func(Context(account, follower, message, query))
    except Exception:
        log.exception("router action %r failed (account %s)", name, account.slug)
        return None


@transaction.atomic
def defer_action(account, message: Message, action: str, query: str = ""):
    """Queue a slow action: the worker runs it after the callback has answered ``success`` and
    sends its answer as a customer-service message. Queued once per inbound message, however
    often WeChat retries it (in the callback's transaction, like the receipt)."""
    digest = hashlib.sha256(f"{account.pk}:{message.dedup_key}:{action}".encode()).hexdigest()
    return enqueue(
        SLOW_REPLY_TOPIC,
        {"account": account.pk, "action": action, "query": query, "message": message.raw},
        dedup_key=f"{SLOW_REPLY_TOPIC}:{digest}",
    )


def render(message: Message, reply: Answer) -> str:
    """The passive-reply XML for an answer: text, or news (one article when answering a user's
    message, up to eight for an event, as WeChat allows)."""
    if not reply:
        return ""
    if isinstance(reply, str):
        return xml.text_reply(message.openid, message.account_name, reply)
    limit = NEWS_MAX_ARTICLES if message.is_event else 1
    return xml.news_reply(message.openid, message.account_name, list(reply)[:limit])


PREVIEW_KINDS = {
    "text": lambda v: {"MsgType": "text", "Content": v, "MsgId": "1"},
    "click": lambda v: {"MsgType": "event", "Event": "CLICK", "EventKey": v},
    "subscribe": lambda v: {
        "MsgType": "event",
        "Event": "subscribe",
        "EventKey": f"qrscene_{v}" if v else "",
    },
    "scan": lambda v: {"MsgType": "event", "Event": "SCAN", "EventKey": v},
}


@dataclass(frozen=True)
class Preview:
    rule_id: int | None
    query: str = ""
    answer: Answer = None
    slow: bool = False


def preview(account, kind: str, value: str) -> Preview:
    """Which rule would answer a message of ``kind`` (text, click, subscribe, scan) carrying
    ``value``, and its answer: for the back office's "try a message". An action runs inside a
    transaction that is rolled back, so trying changes nothing; a slow one is not run."""
    message = normalise(
        {
            "ToUserName": account.original_id or "gh_preview",
            "FromUserName": "o_preview_back_office",
            "CreateTime": str(int(time.time())),
            **PREVIEW_KINDS[kind](value),
        }
    )
    found = match(account, message)
    if found is None:
        return Preview(rule_id=None)
    rule, query = found
    if rule.reply_type == ReplyType.ACTION:
        registered = ACTIONS.get(rule.action)
        if registered is None or registered.slow:
            return Preview(rule.id, query, slow=registered is not None)
    with transaction.atomic():
        reply = answer(account, message, rule, query)
        transaction.set_rollback(True)
    return Preview(rule.id, query, reply)
