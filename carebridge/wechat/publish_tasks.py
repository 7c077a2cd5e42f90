"""Outbox handlers of free publishing (actions/publish.py): the steps to the account's own page.

Each step's answer is saved on the FreePublish row before the next call, so a retry (WeChat
busy, a crash) goes on from the first step not yet done: cover (material/add_material,
type=thumb), body pictures (media/uploadimg), draft (draft/add), publish (freepublish/submit).
Only the submission must never be repeated: it is marked just before the call, and a retry that
finds the mark without a publish_id asks draft/get first — WeChat takes a draft out of the draft
box once it is submitted, so a missing draft means the lost attempt went through, and the row
fails with that explanation for staff instead of publishing the article twice.
"""

import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import UnidentifiedImageError

from carebridge.outbox.actions import enqueue
from carebridge.outbox.registry import GiveUp, RetryLater, handler, on_drop

from .actions.publish import POLL_TOPIC, TOPIC, publish_finished
from .client import WeChatClient
from .media import body_image, thumb_jpeg
from .models import FreePublish
from .models.publish import PublishStatus
from .transport import WeChatError, is_passing

log = logging.getLogger("carebridge.wechat")

IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.IGNORECASE)
INVALID_MEDIA_ID = 40007
# The first poll comes after WeChat's usual few seconds; the outbox's backoff spaces the rest.
POLL_DELAY = timedelta(seconds=5)


def _storage_name(src: str) -> str | None:
    """The storage name of one of our pictures (``/media/…`` or SITE_URL's), else None."""
    parts = urlsplit(src)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" != settings.SITE_URL:
        return None
    prefix = "/" + settings.MEDIA_URL.lstrip("/")
    return parts.path[len(prefix) :] if parts.path.startswith(prefix) else None


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as file:
        return file.read()


def _upload_thumb(client: WeChatClient, row: FreePublish) -> None:
    if row.thumb_media_id:
        return
    answer = client.upload(
        "/cgi-bin/material/add_material",
        "cover.jpg",
        thumb_jpeg(_read(row.cover) if row.cover else None),
        params={"type": "thumb"},
    )
    row.thumb_media_id = str(answer.get("thumb_media_id") or answer.get("media_id") or "")
    row.save(update_fields=["thumb_media_id"])


def _upload_images(client: WeChatClient, row: FreePublish) -> None:
    for src in dict.fromkeys(m.group(2) for m in IMG_SRC.finditer(row.content)):
        name = _storage_name(src)
        if name is None or src in row.images:
            continue
        answer = client.upload("/cgi-bin/media/uploadimg", "image.jpg", body_image(_read(name)))
        row.images[src] = str(answer.get("url") or "")
        row.save(update_fields=["images"])


def wechat_content(row: FreePublish) -> str:
    """The body with our pictures at WeChat's addresses (WeChat drops pictures from elsewhere)."""
    return IMG_SRC.sub(lambda m: m.group(1) + row.images.get(m.group(2), m.group(2)) + m.group(3),
                       row.content)  # fmt: skip


def _add_draft(client: WeChatClient, row: FreePublish) -> None:
    if row.media_id:
        return
    article = {
        "title": row.title,
        "author": row.author,
        "digest": row.digest,
        "content": wechat_content(row),
        "content_source_url": row.source_url,
        "thumb_media_id": row.thumb_media_id,
        "need_open_comment": 0,
        "only_fans_can_comment": 0,
    }
    answer = client.post("/cgi-bin/draft/add", {"articles": [article]})
    row.media_id = str(answer.get("media_id") or "")
    row.save(update_fields=["media_id"])


def _submit(client: WeChatClient, row: FreePublish) -> None:
    if row.submitting_at and not row.publish_id:
        try:
            client.post("/cgi-bin/draft/get", {"media_id": row.media_id})
        except WeChatError as exc:
            if exc.errcode != INVALID_MEDIA_ID:
                raise
            raise GiveUp(
                "an earlier freepublish/submit got through but its answer was lost: "
                "see the account's published articles"
            ) from exc
    row.submitting_at = timezone.now()
    row.save(update_fields=["submitting_at"])
    answer = client.post("/cgi-bin/freepublish/submit", {"media_id": row.media_id})
    row.publish_id = str(answer.get("publish_id") or "")
    row.status = PublishStatus.SUBMITTED
    row.save(update_fields=["publish_id", "status"])


def _fail(row: FreePublish, error: str) -> None:
    row.status, row.error = PublishStatus.FAILED, error[:2000]
    row.save(update_fields=["status", "error"])


@handler(TOPIC)
def deliver_freepublish(message):
    """Upload, draft and submit one FreePublish row; then poll for the outcome."""
    row = FreePublish.objects.select_related("account").filter(pk=message.payload["publish_id"])
    row = row.first()
    if row is None:
        raise GiveUp(f"free publish #{message.payload['publish_id']} no longer exists")
    if row.status != PublishStatus.QUEUED:
        return {"status": row.status, "publish_id": row.publish_id}
    client = WeChatClient(row.account)
    try:
        _upload_thumb(client, row)
        _upload_images(client, row)
        _add_draft(client, row)
        _submit(client, row)
    except WeChatError as exc:
        if is_passing(exc):
            raise RetryLater(str(exc)) from exc
        _fail(row, exc.staff_message + f" (errcode {exc.errcode})")
        raise GiveUp(str(exc)) from exc
    except GiveUp as exc:
        _fail(row, str(exc))
        raise
    except (OSError, UnidentifiedImageError) as exc:  # a picture gone from storage
        _fail(row, f"picture unreadable: {exc}")
        raise GiveUp(str(exc)) from exc
    enqueue(POLL_TOPIC, {"publish_id": row.pk}, f"{POLL_TOPIC}:{row.pk}", delay=POLL_DELAY)
    return {"status": row.status, "publish_id": row.publish_id}


@handler(POLL_TOPIC, retry_for=timedelta(hours=24))
def poll_freepublish(message):
    """freepublish/get until WeChat says how the publication went (unless PUBLISHJOBFINISH told
    us first): still publishing is a passing failure, retried with the outbox's backoff."""
    row = FreePublish.objects.select_related("account").filter(pk=message.payload["publish_id"])
    row = row.first()
    if row is None or row.status != PublishStatus.SUBMITTED:
        return {"status": row.status if row else "gone"}
    try:
        answer = WeChatClient(row.account).post(
            "/cgi-bin/freepublish/get", {"publish_id": row.publish_id}
        )
    except WeChatError as exc:
        if is_passing(exc):
            raise RetryLater(str(exc)) from exc
        raise GiveUp(str(exc)) from exc
    if not publish_finished(row.account, row.publish_id, answer):
        raise RetryLater(f"publish {row.publish_id} still in progress")
    return answer


@on_drop(TOPIC)
def freepublish_dropped(messages):
    """Retried in vain for the whole period: the row says so, for staff to see."""
    for message in messages:
        FreePublish.objects.filter(
            pk=message.payload.get("publish_id"), status=PublishStatus.QUEUED
        ).update(status=PublishStatus.FAILED, error=message.last_error)
