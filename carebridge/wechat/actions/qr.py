"""Parametric QR codes: create them at WeChat, count the follows and scans they bring."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import limits
from ..client import WeChatClient
from ..models import QrScene
from ..qr import MAX_EXPIRE_SECONDS, request_body, validate_scene
from ..transport import WeChatError, is_passing

log = logging.getLogger("carebridge.wechat")


def create_qr_scene(
    account,
    label: str,
    *,
    permanent: bool = False,
    scene_id: int | None = None,
    scene_str: str = "",
    expire_seconds: int | None = None,
) -> QrScene:
    """Create a QR code at WeChat and record it (temporary: 30 days unless ``expire_seconds``).

    Limits are checked and quotas taken first (LimitExceeded); WeChat's refusal raises
    WeChatError. Not one transaction: the HTTP call runs between two short ones, so no database
    lock is held while WeChat answers.
    """
    if not permanent and expire_seconds is None:
        expire_seconds = MAX_EXPIRE_SECONDS
    validate_scene(permanent, scene_id, scene_str, expire_seconds)
    if permanent and _permanent_exists(account, scene_id, scene_str):
        raise limits.LimitExceeded(_("该永久二维码场景值已存在"), code="qr_exists")
    # Both quotas are taken before the call. The day's count is WeChat's count of calls and
    # stays spent; a permanent code WeChat refused to make is given back.
    day = limits.consume(account, "qr_create")
    permanent_period = None
    try:
        if permanent:
            permanent_period = limits.consume(account, "qr_permanent")
    except limits.LimitExceeded:
        limits.refund(account, "qr_create", day)  # no call was made
        raise
    body = request_body(permanent, scene_id, scene_str, expire_seconds)
    try:
        answer = WeChatClient(account).post("/cgi-bin/qrcode/create", body)
    except WeChatError as exc:
        if permanent_period and not is_passing(exc):
            limits.refund(account, "qr_permanent", permanent_period)
        raise
    expires_in = answer.get("expire_seconds")
    try:
        with transaction.atomic():
            return QrScene.objects.create(
                account=account,
                label=label,
                permanent=permanent,
                scene_id=scene_id,
                scene_str=scene_str,
                expire_seconds=None if permanent else expires_in,
                ticket=answer.get("ticket", ""),
                url=answer.get("url", ""),
                expires_at=None if permanent else timezone.now() + timedelta(seconds=expires_in),
            )
    except IntegrityError as exc:  # a concurrent request created the same permanent scene
        raise limits.LimitExceeded(_("该永久二维码场景值已存在"), code="qr_exists") from exc


def _permanent_exists(account, scene_id, scene_str) -> bool:
    scene = Q(scene_str=scene_str) if scene_str else Q(scene_id=scene_id)
    return QrScene.objects.filter(scene, account=account, permanent=True).exists()


@transaction.atomic
def record_scene_event(account, scene: str, kind: str) -> QrScene | None:
    """Count a follow (``kind`` "subscribe") or a scan ("scan") through the QR scene ``scene``.

    The router calls this for events carrying a scene (EventKey ``qrscene_123`` or ``123``).
    When several codes share the scene value the newest still valid one is counted.
    """
    counter = {"subscribe": "subscribe_count", "scan": "scan_count"}.get(kind.lower())
    if counter is None or not scene:
        return None
    match = Q(scene_str=scene)
    if scene.isascii() and scene.isdigit():
        match |= Q(scene_id=int(scene), scene_str="")
    candidates = QrScene.objects.filter(match, account=account)
    live = candidates.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    target = live.order_by("-id").first() or candidates.order_by("-id").first()
    if target is None:
        log.info("scene %r of %s is not one of ours", scene, account.slug)
        return None
    QrScene.objects.filter(pk=target.pk).update(**{counter: F(counter) + 1})
    target.refresh_from_db(fields=[counter])
    return target
