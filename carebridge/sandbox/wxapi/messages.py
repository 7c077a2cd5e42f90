"""/cgi-bin/message/template/send and /cgi-bin/message/custom/send.

Template messages: verified service accounts only (48001), to followers (43004), 100,000 a
day; the same openid + client_msg_id within 10 minutes is delivered once and answered with the
first msgid. Each accepted template message is reported back with TEMPLATESENDJOBFINISH.
Customer-service messages: inside the window the user's interactions opened (window.py).
Accepted messages land on the simulated phone as SandboxMessage(direction "in").
"""

import re
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import SandboxMessage, SandboxUser
from ..registry import account_for
from . import ApiError, api, bump, ok, report_later, today, unbump, window

TEMPLATES_PER_DAY = 100_000
DEDUP_WINDOW = timedelta(minutes=10)
TEMPLATE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# msgid values: large, like WeChat's, and unique because the row id is.
MSGID_BASE = 2_000_000_000
CUSTOM_TYPES = {
    "text": "content",
    "image": "media_id",
    "voice": "media_id",
    "video": "media_id",
    "music": "musicurl",
    "news": "articles",
    "mpnews": "media_id",
    "mpnewsarticle": "article_id",
    "msgmenu": "list",
    "wxcard": "card_id",
    "miniprogrampage": "pagepath",
}


def follower(app_id: str, openid) -> SandboxUser:
    user = SandboxUser.objects.filter(app_id=app_id, openid=openid).first() if openid else None
    if user is None:
        raise ApiError(40003, "invalid openid")
    return user


def deliver_to_phone(app_id, openid, kind, body, dedup_key="") -> SandboxMessage:
    row = SandboxMessage.objects.create(
        app_id=app_id, openid=openid, direction="in", kind=kind, body=body, dedup_key=dedup_key
    )
    row.msg_id = MSGID_BASE + row.pk
    row.save(update_fields=["msg_id"])
    return row


def _template_data(data) -> dict:
    if not isinstance(data, dict):
        raise ApiError(47001, "data format error")
    for item in data.values():
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise ApiError(47001, "data format error")
    return data


@api("POST")
def template_send(request, app_id, body):
    account = account_for(app_id)
    if account is None or not (account.is_service and account.verified):
        raise ApiError(48001, "api unauthorized")
    user = follower(app_id, body.get("touser"))
    if not user.subscribed:
        raise ApiError(43004, "require subscribe")
    if not TEMPLATE_ID.match(str(body.get("template_id", ""))):
        raise ApiError(40037, "invalid template_id")
    data = _template_data(body.get("data"))
    client_msg_id = str(body.get("client_msg_id") or "")[:128]
    with transaction.atomic():
        if not bump(app_id, "template_send", today(), TEMPLATES_PER_DAY):
            raise ApiError(45009, "reach max api daily quota limit")
        if client_msg_id:
            earlier = SandboxMessage.objects.filter(
                app_id=app_id,
                openid=user.openid,
                kind="template",
                dedup_key=client_msg_id,
                created_at__gt=timezone.now() - DEDUP_WINDOW,
            ).first()
            if earlier:  # a resend: answered like the first, delivered once
                unbump(app_id, "template_send", today())
                return ok(msgid=earlier.msg_id)
        message = {"template_id": body["template_id"], "url": body.get("url", ""), "data": data}
        row = deliver_to_phone(app_id, user.openid, "template", message, client_msg_id)
        report_later(
            account.slug,
            {
                "ToUserName": account.original_id or "gh_sandbox",
                "FromUserName": user.openid,
                "CreateTime": int(time.time()),
                "MsgType": "event",
                "Event": "TEMPLATESENDJOBFINISH",
                "MsgID": row.msg_id,
                "Status": "success",
            },
        )
    return ok(msgid=row.msg_id)


@api("POST")
def custom_send(request, app_id, body):
    user = follower(app_id, body.get("touser"))
    kind = body.get("msgtype")
    if kind not in CUSTOM_TYPES or not isinstance(body.get(kind), dict):
        raise ApiError(40008, "invalid message type")
    if not body[kind].get(CUSTOM_TYPES[kind]):
        raise ApiError(
            44004 if kind == "text" else 47001,
            "empty content" if kind == "text" else "data format error",
        )
    if not user.subscribed:
        raise ApiError(45015, "response out of time limit or subscription is canceled")
    with transaction.atomic():
        window.spend(app_id, user.openid)
        deliver_to_phone(app_id, user.openid, "custom", {"msgtype": kind, kind: body[kind]})
    return ok()
