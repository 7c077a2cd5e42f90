"""Inbound callbacks: handle each message once, however often WeChat retries it.

Two paths. A plain message or a menu tap whose rule answers with text or articles (most of the
traffic) is answered after one statement: the receipt, carrying its reply, inserted unless its
key is already recorded; the follower bookkeeping follows from the receipt
(followers_pending.py). Everything else (follows, unfollows, scans, location reports, job
reports, rules that run an action) is handled in one transaction with its receipt.
"""

import functools
import logging
import time

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..messages import MENU_KEY_EVENTS, Message, normalise
from ..models import CallbackReceipt
from ..router import quick_reply, route
from .followers import track_follower
from .followers_pending import catch_up

log = logging.getLogger("carebridge.wechat")

# How long a retry of a message still being handled waits for the first attempt's reply. WeChat
# gives a callback 5 s; this leaves room for the network.
DUPLICATE_WAIT_SECONDS = 4.0
# Events whose only effect on the follower is the interaction itself (and its grant): they take
# the one-insert path like plain messages. Follows, unfollows, scans and location reports change
# the follower and are applied with their receipt.
DEFERRED_EVENTS = MENU_KEY_EVENTS | {"view"}


def dedup_key(message: dict) -> str:
    """MsgId for messages; FromUserName + CreateTime (+ Event, EventKey) for events."""
    return normalise(message).dedup_key


def receive_message(account, message: dict | Message) -> str:
    """Handle one inbound message once, however often WeChat retries it; return the reply XML
    ('' means answer ``success``). A retry gets the first attempt's reply.

    Raises ``messages.Malformed`` (nothing recorded) when ``message`` is not a WeChat message.
    """
    if not isinstance(message, Message):
        message = normalise(message)
    key = message.dedup_key
    if message.known and (not message.is_event or message.event in DEFERRED_EVENTS):
        reply = quick_reply(account, message)
        if reply is not None:
            if _insert_receipt(account, message, reply):
                return reply
            return _earlier_reply(account, key)
    try:
        with transaction.atomic():
            # The receipt, the routing's writes and the reply commit together: a crash leaves
            # nothing, so WeChat's retry handles the message afresh. A concurrent retry blocks
            # on the unique key until this commits, then reads the reply below.
            receipt = CallbackReceipt.objects.create(
                account=account,
                dedup_key=key,
                msg_type=message.msg_type[:32],
                event=message.event[:64],
                openid=message.openid,
                payload=message.raw,
                sent_at=message.sent_at,
            )
            follower = record(account, message)
            reply = route(account, message, follower) or ""
            receipt.reply = reply
            receipt.save(update_fields=["reply"])
            return reply
    except IntegrityError:
        if not CallbackReceipt.objects.filter(account=account, dedup_key=key).exists():
            raise  # not a retry: some other constraint failed while handling the message
        return _earlier_reply(account, key)


def record(account, message: Message):
    """What the message changes besides the reply: the sender's Follower (returned), and the
    send reports of template and mass messages."""
    if message.event == "templatesendjobfinish":
        from .messaging import template_finished

        template_finished(account, _msg_id(message), message.field("Status"))
        return None
    if message.event == "masssendjobfinish":
        from .messaging import mass_finished

        mass_finished(account, _msg_id(message), message.raw)
        return None
    if not message.known:
        log.info(
            "unhandled %s %s from %s on %s: answered success",
            message.msg_type,
            message.event,
            message.openid,
            account.slug,
        )
        return None
    # This sender's earlier messages first, so a follow or unfollow lands after them.
    catch_up(account.pk, message.openid)
    return track_follower(account, message)


_COLUMNS = (
    "account",
    "dedup_key",
    "msg_type",
    "event",
    "openid",
    "payload",
    "reply",
    "received_at",
    "sent_at",
    "pending",
)


def _insert_receipt(account, message: Message, reply: str) -> bool:
    """Record the receipt with its reply and leave the follower bookkeeping pending; False when
    the key is already recorded (a retry). One statement, in autocommit: ``INSERT … ON CONFLICT
    DO NOTHING`` (SQLite and PostgreSQL), whose row count says which it was. Written by hand
    because the ORM's ``create`` cannot ignore the conflict and its ``bulk_create`` does not say
    whether the row went in; this is the hottest statement of the callback."""
    values = (
        account.pk,
        message.dedup_key,
        message.msg_type[:32],
        message.event[:64],
        message.openid,
        message.raw,
        reply,
        timezone.now(),
        message.sent_at,
        True,
    )
    sql, fields = _insert_statement(connection.vendor)
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


@functools.cache
def _insert_statement(vendor: str) -> tuple[str, list]:
    """The INSERT for ``vendor``'s SQL and the fields that prepare its parameters (made once)."""
    quote = connection.ops.quote_name
    meta = CallbackReceipt._meta
    fields = [meta.get_field(name) for name in _COLUMNS]
    columns = ", ".join(quote(field.column) for field in fields)
    key = ", ".join(quote(meta.get_field(name).column) for name in ("account", "dedup_key"))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({key}) DO NOTHING"
    )
    return sql, fields


def _msg_id(message: Message) -> int | None:
    value = message.field("MsgID") or message.field("MsgId")
    return int(value) if value.isascii() and value.isdigit() else None


def _earlier_reply(account, key: str) -> str:
    deadline = time.monotonic() + DUPLICATE_WAIT_SECONDS
    while True:
        reply = (
            CallbackReceipt.objects.filter(account=account, dedup_key=key)
            .values_list("reply", flat=True)
            .first()
        )
        if reply is not None or time.monotonic() > deadline:
            log.info("duplicate callback %s answered from its receipt", key)
            return reply or ""
        time.sleep(0.05)
