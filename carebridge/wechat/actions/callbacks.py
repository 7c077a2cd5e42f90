"""Inbound callbacks: handle each message once, however often WeChat retries it.

Two paths. A plain message or a menu tap whose rule answers with text or articles (most of the
traffic) is answered after one statement: the receipt, carrying its reply, inserted unless its
key is already recorded. Everything else (follows, unfollows, scans, location reports, job
reports, rules that run an action) is handled in one transaction with its receipt. On both, what
a message says about its sender is applied from its ``pending`` receipt by the same code
(followers_pending.py): later on the first path, within the transaction on the second.
"""

import functools
import logging
import time

from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import DatabaseDefault

from ..messages import MENU_KEY_EVENTS, Message, normalise
from ..models import CallbackReceipt
from ..router import quick_reply, route
from .followers import track_follower
from .messaging import mass_finished, template_finished
from .publish import publish_finished

log = logging.getLogger("carebridge.wechat")

# How long a retry of a message still being handled waits for the first attempt's reply. WeChat
# gives a callback 5 s; this leaves room for the network.
DUPLICATE_WAIT_SECONDS = 4.0
# Events whose only effect on the follower is the interaction itself (and its grant): they take
# the one-insert path like plain messages. Follows, unfollows, scans and location reports change
# the follower and are applied with their receipt.
DEFERRED_EVENTS = MENU_KEY_EVENTS | {"view"}
# The send reports of our template and mass messages: they say nothing about their sender.
REPORTS = frozenset({"templatesendjobfinish", "masssendjobfinish", "publishjobfinish"})


def dedup_key(message: dict) -> str:
    """MsgId for messages, MsgID for events carrying one (job reports); FromUserName +
    CreateTime (+ Event, EventKey) for other events."""
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
            if _insert_receipt(CallbackReceipt.of(account, message, reply=reply, pending=True)):
                return reply
            return _earlier_reply(account, key)
    if message.is_event and message.msg_id:
        earlier = _receipt_by_sender_time(account, message)
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            # The receipt, the routing's writes and the reply commit together: a crash leaves
            # nothing, so WeChat's retry handles the message afresh. A concurrent retry blocks
            # on the unique key until this commits, then reads the reply below.
            receipt = CallbackReceipt.of(account, message, pending=about_sender(message))
            receipt.save(force_insert=True)
            follower = record(account, message)
            reply = route(account, message, follower) or ""
            receipt.reply = reply
            receipt.save(update_fields=["reply"])
            return reply
    except IntegrityError:
        if not CallbackReceipt.objects.filter(account=account, dedup_key=key).exists():
            raise  # not a retry: some other constraint failed while handling the message
        return _earlier_reply(account, key)


def about_sender(message: Message) -> bool:
    """Does ``message`` say something about its sender (followers_pending.py applies it)?"""
    return message.known and message.event not in REPORTS


def record(account, message: Message):
    """What the message changes besides the reply: the sender's Follower (returned), and the
    reports of template and mass sends and of free publishing."""
    if message.event == "templatesendjobfinish":
        template_finished(account, _msg_id(message), message.field("Status"))
        return None
    if message.event == "masssendjobfinish":
        mass_finished(account, _msg_id(message), message.raw)
        return None
    if message.event == "publishjobfinish":
        if message.publish_id:
            publish_finished(account, message.publish_id, message.publish_info)
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
    return track_follower(account, message)


def _insert_receipt(receipt: CallbackReceipt) -> bool:
    """Record ``receipt`` unless its key is already recorded (a retry: False). One statement, in
    autocommit: ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL), whose row count says
    which it was; this is the hottest statement of the callback.

    Written by hand because no ORM call does this in one statement: ``create`` cannot ignore the
    conflict (it needs a savepoint, then a query to tell a retry from another error), and
    ``bulk_create(ignore_conflicts=True)`` hands the object back whether or not its row went in
    (without a primary key either way). The columns and values still come from the model, as
    ``save()`` prepares them: every concrete field but the auto primary key and generated ones,
    each value by the field's ``pre_save`` (``auto_now_add``…) and ``get_db_prep_save``; a field
    left to its ``db_default`` is left to the database. test_receipts compares the row with the
    one ``CallbackReceipt.objects.create`` writes, on both databases."""
    columns, params = [], []
    for field in _insert_fields():
        value = field.pre_save(receipt, add=True)
        if isinstance(value, DatabaseDefault):
            continue
        columns.append(field.column)
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(_insert_statement(connection.vendor, tuple(columns)), params)
        return cursor.rowcount == 1


@functools.cache
def _insert_fields() -> list:
    meta = CallbackReceipt._meta
    return [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]


@functools.cache
def _insert_statement(vendor: str, columns: tuple[str, ...]) -> str:
    """The INSERT of ``columns`` in ``vendor``'s SQL (made once)."""
    quote = connection.ops.quote_name
    meta = CallbackReceipt._meta
    (dedup,) = (c for c in meta.constraints if c.name == "receipt_dedup")
    key = ", ".join(quote(meta.get_field(name).column) for name in dedup.fields)
    return (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({key}) DO NOTHING"
    )


def _msg_id(message: Message) -> int | None:
    return int(message.msg_id) if message.msg_id else None


def _receipt_by_sender_time(account, message: Message) -> str | None:
    """The reply to a retry of an event that carries a MsgID whose first try was recorded under
    its sender-and-time key (receipts written before such events were keyed by MsgID), or None.
    Another event of the same sender and second under that key is not this one: their MsgIDs
    differ."""
    earlier = (
        CallbackReceipt.objects.filter(account=account, dedup_key=message.sender_time_key)
        .values_list("payload", "reply")
        .first()
    )
    if earlier is None:
        return None
    payload, reply = earlier
    named = (payload.get("MsgID") or payload.get("MsgId")) if isinstance(payload, dict) else None
    if str(named) != message.msg_id:
        return None
    log.info("duplicate callback %s answered from its receipt", message.sender_time_key)
    return reply or ""


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
