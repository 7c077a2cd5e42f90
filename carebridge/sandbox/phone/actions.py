"""What the person holding the simulated phone does, as WeChat's client would report it.

Each action records itself as a SandboxMessage (direction "out", kind "user") so the sandbox's
API server can enforce the customer-service window, then POSTs the message or event to the
account's callback over real HTTP (``sender.deliver``). The database write commits before the
HTTP call: the callback runs in another thread or process and must see it, and no transaction
is held open across the network.
"""

import secrets
import time

from django.db import transaction
from django.utils import timezone

from carebridge.institutions.models import WeChatAccount

from .. import sender
from ..models import SandboxMessage, SandboxUser
from .identity import app_id_of


class PhoneRefused(Exception):
    """The action is not possible now (WeChat's client would not let the user do it)."""


def _openid() -> str:
    # WeChat openids are 28 characters starting with "o".
    return "o" + secrets.token_urlsafe(21)[:27]


@transaction.atomic
def create_user(account: WeChatAccount, nickname: str) -> SandboxUser:
    """A new simulated WeChat user of ``account`` (not following it yet)."""
    return SandboxUser.objects.create(
        app_id=app_id_of(account),
        openid=_openid(),
        unionid="u" + secrets.token_urlsafe(21)[:27],
        nickname=nickname.strip(),
    )


@transaction.atomic
def set_snapshot(user: SandboxUser, snapshot: bool) -> None:
    """Switch the user's web pages to 快照页 mode (virtual account, no real openid)."""
    user.snapshot = snapshot
    user.save(update_fields=["snapshot"])


def _envelope(account: WeChatAccount, user: SandboxUser, fields: dict) -> dict:
    return sender.build_message(user.openid, fields, to_user=account.original_id or "gh_sandbox")


@transaction.atomic
def _record(user: SandboxUser, message: dict, subscribed: bool | None = None) -> None:
    if subscribed is not None and subscribed != user.subscribed:
        user.subscribed = subscribed
        user.subscribed_at = timezone.now() if subscribed else None
        user.save(update_fields=["subscribed", "subscribed_at"])
    SandboxMessage.objects.create(
        app_id=user.app_id,
        openid=user.openid,
        direction="out",
        kind="user",
        body=message,
        msg_id=message.get("MsgId"),
    )


def follow(account: WeChatAccount, user: SandboxUser, scene: str = "", ticket: str = "") -> dict:
    """Follow the account, through a QR scene if given. Scanning a scene while following
    sends SCAN instead, as WeChat does. Returns the callback's reply ({} for none)."""
    if user.subscribed and not scene:
        raise PhoneRefused("already following")
    if user.subscribed:
        fields = {"MsgType": "event", "Event": "SCAN", "EventKey": scene, "Ticket": ticket}
    elif scene:
        fields = {
            "MsgType": "event",
            "Event": "subscribe",
            "EventKey": f"qrscene_{scene}",
            "Ticket": ticket,
        }
    else:
        fields = {"MsgType": "event", "Event": "subscribe", "EventKey": ""}
    message = _envelope(account, user, fields)
    _record(user, message, subscribed=True)
    return sender.deliver(account.slug, message)


def unfollow(account: WeChatAccount, user: SandboxUser) -> dict:
    if not user.subscribed:
        raise PhoneRefused("not following")
    message = _envelope(account, user, {"MsgType": "event", "Event": "unsubscribe", "EventKey": ""})
    _record(user, message, subscribed=False)
    return sender.deliver(account.slug, message)


def send(account: WeChatAccount, user: SandboxUser, fields: dict) -> dict:
    """Send a message (text, location, voice…) typed on the phone."""
    if not user.subscribed:
        raise PhoneRefused("follow the account first")
    # MsgId: 64-bit and unique, like WeChat's; the callback deduplicates retries by it.
    msg_id = int(time.time() * 1000) * 1000 + secrets.randbelow(1000)
    message = _envelope(account, user, {**fields, "MsgId": msg_id})
    _record(user, message)
    return sender.deliver(account.slug, message)


def tap_menu(account: WeChatAccount, user: SandboxUser, button: dict) -> dict:
    """Tap a menu button: CLICK sends its key, VIEW the URL it opens, others their event."""
    if not user.subscribed:
        raise PhoneRefused("follow the account first")
    kind = button["type"]
    if kind == "view":
        fields = {"MsgType": "event", "Event": "VIEW", "EventKey": button["url"]}
    elif kind == "click":
        fields = {"MsgType": "event", "Event": "CLICK", "EventKey": button["key"]}
    else:
        fields = {
            "MsgType": "event",
            "Event": kind,
            "EventKey": button.get("key", ""),
            **_extra(kind),
        }
    message = _envelope(account, user, fields)
    _record(user, message)
    return sender.deliver(account.slug, message)


def _extra(kind: str) -> dict:
    """The blocks WeChat adds to scan / photo / location menu events (fixed sample values: the
    simulator has no camera or map)."""
    if kind.startswith("scancode_"):
        return {"ScanCodeInfo": {"ScanType": "qrcode", "ScanResult": "carebridge-sandbox-scan"}}
    if kind.startswith("pic_"):
        return {"SendPicsInfo": {"Count": 0, "PicList": []}}
    if kind == "location_select":
        return {
            "SendLocationInfo": {
                "Location_X": "31.2990",
                "Location_Y": "120.5853",
                "Scale": "15",
                "Label": "苏州市姑苏区",
                "Poiname": "",
            }
        }
    return {}
