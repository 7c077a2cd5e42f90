"""Parametric QR codes: WeChat's limits on scenes and lifetimes, the request body, the image.

Temporary codes live at most 30 days (2,592,000 s) and take a 32-bit scene_id or a scene_str;
permanent codes take scene_id 1–100000 or a scene_str of 1–64 characters, and an account may
have at most 100,000 of them. 100,000 codes may be created a day.
"""

import io
from urllib.parse import quote

import segno
from django.conf import settings
from django.utils.translation import gettext as _

from .limits import LimitExceeded

MAX_EXPIRE_SECONDS = 2_592_000
PERMANENT_MAX_SCENE_ID = 100_000
TEMPORARY_MAX_SCENE_ID = 2**32 - 1
MAX_SCENE_STR = 64


def scene_errors(
    permanent: bool, scene_id: int | None, scene_str: str, expire_seconds: int | None
) -> list[str]:
    """What is wrong with a QR request (an empty list when it is within WeChat's limits)."""
    errors = []
    if (scene_id is None) == (not scene_str):
        errors.append(_("请填写场景值ID或场景值字符串（二选一）"))
    elif scene_id is not None:
        top = PERMANENT_MAX_SCENE_ID if permanent else TEMPORARY_MAX_SCENE_ID
        if not 1 <= scene_id <= top:
            errors.append(_("场景值ID须在 1 到 %(max)d 之间") % {"max": top})
    elif len(scene_str) > MAX_SCENE_STR:
        errors.append(_("场景值字符串最多 %(max)d 个字符") % {"max": MAX_SCENE_STR})
    if permanent and expire_seconds:
        errors.append(_("永久二维码没有有效期"))
    if not permanent and expire_seconds is not None:
        if not 1 <= expire_seconds <= MAX_EXPIRE_SECONDS:
            errors.append(
                _("临时二维码有效期须在 1 到 %(max)d 秒（30 天）之间") % {"max": MAX_EXPIRE_SECONDS}
            )
    return errors


def validate_scene(permanent, scene_id, scene_str, expire_seconds) -> None:
    errors = scene_errors(permanent, scene_id, scene_str, expire_seconds)
    if errors:
        raise LimitExceeded(errors, code="qr")


def request_body(permanent: bool, scene_id: int | None, scene_str: str, expire_seconds) -> dict:
    """WeChat's qrcode/create body."""
    action = ("QR_LIMIT_" if permanent else "QR_") + ("STR_SCENE" if scene_str else "SCENE")
    scene = {"scene_str": scene_str} if scene_str else {"scene_id": scene_id}
    body = {"action_name": action, "action_info": {"scene": scene}}
    if not permanent:
        body["expire_seconds"] = expire_seconds
    return body


def image_url(ticket: str) -> str:
    """Where WeChat shows the code as an image (showqrcode; the sandbox serves it too)."""
    base = settings.WECHAT_MP_BASE or settings.WECHAT_API_BASE
    return f"{base}/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"


def png(content: str, scale: int = 6) -> bytes:
    """The QR code of ``content`` (the url WeChat returned) as PNG bytes."""
    out = io.BytesIO()
    segno.make(content, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
