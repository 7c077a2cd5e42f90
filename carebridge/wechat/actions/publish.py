"""Articles published to the account's own page: draft → freepublish (发表).

``free_publish`` records what to publish and queues it; the outbox (tasks.deliver_freepublish)
uploads the pictures, makes the draft and submits it; ``publish_finished`` records WeChat's
outcome, from the PUBLISHJOBFINISH event or a freepublish/get poll (whichever comes first).
"""

import logging

from django.db import transaction
from django.utils import timezone

from carebridge.outbox.actions import enqueue

from ..models import FreePublish
from ..models.publish import PUBLISH_OUTCOMES, PublishStatus

log = logging.getLogger("carebridge.wechat")

TOPIC = "wechat.freepublish"
POLL_TOPIC = "wechat.freepublish_poll"
PUBLISHED, PUBLISHING = 0, 1


@transaction.atomic
def free_publish(
    account, *, title: str, content: str, author="", digest="", cover="", source_url=""
) -> FreePublish:
    """Queue an article for the account's own page. ``content`` is sanitised HTML whose pictures
    are under MEDIA_URL; ``cover`` the storage name of its cover (a plain one when empty)."""
    row = FreePublish.objects.create(
        account=account,
        title=title[:64],  # WeChat's limit for a title
        author=author[:16],
        digest=digest[:120],
        content=content,
        cover=cover,
        source_url=source_url,
    )
    enqueue(TOPIC, {"publish_id": row.pk}, dedup_key=f"wechat.freepublish:{row.pk}")
    return row


def _article(detail) -> str:
    """The first article's URL from article_detail ({count, item: [{idx, article_url}]}; the
    callback's XML gives one item as a dict, the JSON a list)."""
    if not isinstance(detail, dict):
        return ""
    items = detail.get("item")
    items = items if isinstance(items, list) else [items]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("article_url"), str):
            return item["article_url"][:1024]
    return ""


def _status(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def publish_finished(account, publish_id: str, info: dict) -> bool:
    """Record WeChat's outcome of ``publish_id`` (PublishEventInfo or freepublish/get's answer).
    Still publishing (1) changes nothing; False when the outcome is not final yet or the
    publish_id is not ours."""
    status = _status(info.get("publish_status"))
    row = (
        FreePublish.objects.select_for_update()
        .filter(account=account, publish_id=str(publish_id))
        .first()
    )
    if row is None or status is None or status == PUBLISHING:
        if row is None:
            log.info("publish report for unknown publish_id %s of %s", publish_id, account.slug)
        return False
    row.report = info
    fields = ["report", "status", "error"]
    if status == PUBLISHED:
        row.status, row.error = PublishStatus.PUBLISHED, ""
        row.article_id = str(info.get("article_id") or "")[:128]
        row.article_url = _article(info.get("article_detail"))
        row.published_at = row.published_at or timezone.now()
        fields += ["article_id", "article_url", "published_at"]
    else:
        row.status = PublishStatus.FAILED
        row.error = str(PUBLISH_OUTCOMES.get(status, status))
    row.save(update_fields=fields)
    return True
