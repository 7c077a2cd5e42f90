"""Inbound callbacks: handle each message once, however often WeChat retries it."""

import logging
import time

from django.db import IntegrityError, transaction

from ..messages import Message, normalise
from ..models import CallbackReceipt
from ..router import route
from .followers import track_follower

log = logging.getLogger("carebridge.wechat")

# How long a retry of a message still being handled waits for the first attempt's reply. WeChat
# gives a callback 5 s; this leaves room for the network.
DUPLICATE_WAIT_SECONDS = 4.0


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
    return track_follower(account, message)


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
