"""/cgi-bin/qrcode/create and /cgi-bin/showqrcode: parametric QR codes and their images.

Temporary codes: scene_id a 32-bit non-zero integer or scene_str 1–64 characters, at most
2,592,000 s (60 s when not given). Permanent codes: scene_id 1–100000 or scene_str, at most
100,000 scenes per account; creating a permanent scene again returns its ticket. 100,000
creations a day.
"""

import base64
import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from carebridge.wechat.qr import png

from ..guard import sandbox_only
from ..models import SandboxQrTicket
from . import ApiError, answer, api, bump, today

CREATES_PER_DAY = 100_000
PERMANENT_SCENES = 100_000
MAX_EXPIRE = 2_592_000
ACTIONS = {
    "QR_SCENE": (False, "scene_id"),
    "QR_STR_SCENE": (False, "scene_str"),
    "QR_LIMIT_SCENE": (True, "scene_id"),
    "QR_LIMIT_STR_SCENE": (True, "scene_str"),
}


def qr_url(ticket: str) -> str:
    """What the code encodes: WeChat's short link for the ticket."""
    return "http://weixin.qq.com/q/" + hashlib.sha256(ticket.encode()).hexdigest()[:22]


def _scene(body: dict) -> tuple[bool, str]:
    if body.get("action_name") not in ACTIONS:
        raise ApiError(40052, "invalid action name")
    permanent, field = ACTIONS[body["action_name"]]
    info = body.get("action_info")
    scene = info.get("scene") if isinstance(info, dict) else None
    value = scene.get(field) if isinstance(scene, dict) else None
    if field == "scene_str":
        if not isinstance(value, str) or not 1 <= len(value) <= 64:
            raise ApiError(40053, "invalid action info")
        return permanent, value
    top = 100_000 if permanent else 2**32 - 1
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
        raise ApiError(40053, "invalid action info")
    return permanent, str(value)


@api("POST")
def create(request, app_id, body):
    permanent, scene = _scene(body)
    expire = body.get("expire_seconds", 60)
    if not permanent and (not isinstance(expire, int) or not 1 <= expire <= MAX_EXPIRE):
        raise ApiError(40097, "invalid args")
    with transaction.atomic():
        if not bump(app_id, "qrcode_create", today(), CREATES_PER_DAY):
            raise ApiError(45009, "reach max api daily quota limit")
        if permanent:
            mine = SandboxQrTicket.objects.filter(app_id=app_id, permanent=True)
            existing = mine.filter(scene=scene).first()
            if existing:
                return answer({"ticket": existing.ticket, "url": qr_url(existing.ticket)})
            if mine.count() >= PERMANENT_SCENES:
                # The errcode is our pick: WeChat documents the limit, not its refusal.
                raise ApiError(45029, "qrcode count out of limit")
        ticket = base64.b64encode(secrets.token_bytes(60)).decode()  # has + / =: quote it
        SandboxQrTicket.objects.create(
            app_id=app_id,
            ticket=ticket,
            scene=scene,
            permanent=permanent,
            expires_at=None if permanent else timezone.now() + timedelta(seconds=expire),
        )
    data = {"ticket": ticket, "url": qr_url(ticket)}
    if not permanent:
        data["expire_seconds"] = expire
    return answer(data)


def live_ticket(ticket: str) -> SandboxQrTicket | None:
    """The code behind ``ticket`` if it still works (the phone scans through this too)."""
    return (
        SandboxQrTicket.objects.filter(ticket=ticket)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )


@sandbox_only
@require_GET
def show(request):
    """The code as a PNG image (mp.weixin.qq.com/cgi-bin/showqrcode?ticket=…)."""
    row = live_ticket(request.GET.get("ticket", ""))
    if row is None:
        raise Http404("no such ticket, or it expired")
    return HttpResponse(png(qr_url(row.ticket)), content_type="image/png")
