"""/cgi-bin/message/mass/sendall, /send and /preview.

Quotas: a service account's followers receive 4 mass messages a month, a subscription
account's 1 a day (45028 beyond); 100 calls a day (45009); 60 a minute (45011); 100 previews a
day. A clientmsgid already used within 24 hours is refused with 45065 and the earlier msg_id
(45066 when retried within a minute), so a retry never sends twice. Each accepted mass send is
reported back with MASSSENDJOBFINISH. Tags are not simulated: a tag reaches every follower.
"""

import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import SandboxMessage, SandboxUser
from ..registry import account_for
from . import ApiError, api, bump, ok, report_later, today
from .messages import MSGID_BASE, deliver_to_phone, follower

CALLS_PER_DAY = 100
CALLS_PER_MINUTE = 60
PREVIEWS_PER_DAY = 100
CLIENTMSGID_WINDOW = timedelta(hours=24)
RETRY_TOO_SOON = timedelta(minutes=1)
CONTENT_FIELD = {
    "text": "content",
    "mpnews": "media_id",
    "image": "media_id",
    "images": "media_ids",
    "voice": "media_id",
    "mpvideo": "media_id",
    "wxcard": "card_id",
}


def _content(body: dict) -> tuple[str, dict]:
    kind = body.get("msgtype")
    if kind not in CONTENT_FIELD or not isinstance(body.get(kind), dict):
        raise ApiError(40008, "invalid message type")
    if not body[kind].get(CONTENT_FIELD[kind]):
        raise (
            ApiError(44004, "empty content")
            if kind == "text"
            else ApiError(40007, "invalid media_id")
        )
    return kind, {"msgtype": kind, kind: body[kind]}


def _recipients(app_id: str, body: dict, path: str) -> list[str]:
    followers = SandboxUser.objects.filter(app_id=app_id, subscribed=True)
    if path.endswith("/sendall"):
        if not isinstance(body.get("filter"), dict):
            raise ApiError(47001, "data format error")
        return list(followers.values_list("openid", flat=True))
    touser = body.get("touser")
    if not isinstance(touser, list) or not 2 <= len(touser) <= 10_000:
        raise ApiError(40130, "invalid openid list size, at least two openid")
    return list(followers.filter(openid__in=touser).values_list("openid", flat=True))


def _earlier(app_id: str, clientmsgid: str) -> None:
    earlier = SandboxMessage.objects.filter(
        app_id=app_id,
        kind="mass_job",
        dedup_key=clientmsgid,
        created_at__gt=timezone.now() - CLIENTMSGID_WINDOW,
    ).first()
    if earlier is None:
        return
    if timezone.now() - earlier.created_at < RETRY_TOO_SOON:
        raise ApiError(45066, "clientmsgid retry too fast, retry after 1 minute")
    raise ApiError(45065, "clientmsgid exist", msg_id=earlier.msg_id)


@api("POST")
def send(request, app_id, body):
    """sendall (to all followers or a tag) and send (to a list of openids)."""
    kind, message = _content(body)
    clientmsgid = body.get("clientmsgid") or ""
    if not isinstance(clientmsgid, str) or len(clientmsgid.encode()) > 64:
        raise ApiError(45067, "clientmsgid size out of limit")
    account = account_for(app_id)
    if account is None:
        raise ApiError(40013, "invalid appid")
    recipients = _recipients(app_id, body, request.path)
    with transaction.atomic():
        if not bump(app_id, "mass_calls", today(), CALLS_PER_DAY):
            raise ApiError(45009, "reach max api daily quota limit")
        minute = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        if not bump(app_id, "mass_calls_minute", minute, CALLS_PER_MINUTE):
            raise ApiError(45011, "api minute-quota reach limit mustslower retry next minute")
        if clientmsgid:
            _earlier(app_id, clientmsgid)
        if account.is_service:
            allowed = bump(app_id, "mass_sends", timezone.localdate().strftime("%Y-%m"), 4)
        else:
            allowed = bump(app_id, "mass_sends", today(), 1)
        if not allowed:
            raise ApiError(45028, "has no masssend quota")
        job = deliver_to_phone(
            app_id, "", "mass_job", {**message, "to": len(recipients)}, clientmsgid
        )
        for openid in recipients:
            SandboxMessage.objects.create(
                app_id=app_id,
                openid=openid,
                direction="in",
                kind="mass",
                body=message,
                msg_id=job.msg_id,
            )
        report_later(
            account.slug,
            {
                "ToUserName": account.original_id or "gh_sandbox",
                "FromUserName": "mphelper",  # WeChat's mass-send assistant
                "CreateTime": int(time.time()),
                "MsgType": "event",
                "Event": "MASSSENDJOBFINISH",
                "MsgID": job.msg_id,
                "Status": "send success",
                "TotalCount": len(recipients),
                "FilterCount": len(recipients),
                "SentCount": len(recipients),
                "ErrorCount": 0,
            },
        )
    extra = {"msg_data_id": job.msg_id - MSGID_BASE} if kind == "mpnews" else {}
    return ok(errmsg="send job submission success", msg_id=job.msg_id, **extra)


@api("POST")
def preview(request, app_id, body):
    _kind, message = _content(body)
    user = follower(app_id, body.get("touser"))
    with transaction.atomic():
        if not bump(app_id, "mass_preview", today(), PREVIEWS_PER_DAY):
            raise ApiError(45009, "reach max api daily quota limit")
        row = deliver_to_phone(app_id, user.openid, "mass", {**message, "preview": True})
    return ok(errmsg="preview success", msg_id=row.msg_id)
