"""Bring Follower rows in line with WeChat's user list (for followers who predate CareBridge or
events that were lost)."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from ..client import WeChatClient
from ..models import Follower

log = logging.getLogger("carebridge.wechat")

BATCH = 100  # user/info/batchget takes at most 100 openids


@dataclass
class SyncResult:
    followers: int = 0  # subscribed according to WeChat
    created: int = 0
    unsubscribed: int = 0  # marked as no longer following


def _user_pages(client: WeChatClient):
    """Every openid in WeChat's list, page by page (10,000 a page, ``next_openid`` paging)."""
    next_openid = ""
    while True:
        page = client.get("/cgi-bin/user/get", {"next_openid": next_openid} if next_openid else {})
        openids = (page.get("data") or {}).get("openid") or []
        if not openids:
            return
        yield openids
        next_openid = page.get("next_openid") or ""
        if not next_openid:
            return


def _source_scene(info: dict) -> str:
    return str(info.get("qr_scene_str") or info.get("qr_scene") or "")[:64]


def _apply(account, infos: list[dict], result: SyncResult) -> None:
    with transaction.atomic():
        known = {
            f.openid: f
            for f in Follower.objects.select_for_update().filter(
                account=account, openid__in=[i["openid"] for i in infos]
            )
        }
        for info in infos:
            if not info.get("subscribe"):
                continue  # unfollowed between the list and the lookup
            subscribed_at = None
            if info.get("subscribe_time"):
                subscribed_at = datetime.fromtimestamp(int(info["subscribe_time"]), tz=UTC)
            follower = known.get(info["openid"])
            if follower is None:
                Follower.objects.create(
                    account=account,
                    openid=info["openid"],
                    unionid=info.get("unionid", ""),
                    subscribed=True,
                    subscribed_at=subscribed_at,
                    source_scene=_source_scene(info),
                )
                result.created += 1
                continue
            follower.subscribed = True
            follower.subscribed_at = subscribed_at or follower.subscribed_at
            follower.unionid = info.get("unionid") or follower.unionid
            follower.source_scene = follower.source_scene or _source_scene(info)
            follower.save(update_fields=["subscribed", "subscribed_at", "unionid", "source_scene"])


def sync_followers(account) -> SyncResult:
    """Page through /cgi-bin/user/get and /cgi-bin/user/info/batchget and update Follower rows:
    create the missing, refresh the known, mark those no longer listed as unsubscribed.

    One short transaction per batch of 100, never one across the HTTP calls.
    """
    client = WeChatClient(account)
    result = SyncResult()
    seen: set[str] = set()
    started = timezone.now()
    for openids in _user_pages(client):
        for start in range(0, len(openids), BATCH):
            chunk = openids[start : start + BATCH]
            answer = client.post(
                "/cgi-bin/user/info/batchget",
                {"user_list": [{"openid": o, "lang": "zh_CN"} for o in chunk]},
            )
            infos = [i for i in answer.get("user_info_list", []) if i.get("openid")]
            _apply(account, infos, result)
            seen.update(i["openid"] for i in infos if i.get("subscribe"))
    result.followers = len(seen)
    gone = [
        openid
        for openid in Follower.objects.filter(account=account, subscribed=True)
        .values_list("openid", flat=True)
        .iterator()
        if openid not in seen
    ]
    for start in range(0, len(gone), 500):
        # Not those who followed while we were listing: their follow event is newer than the list.
        result.unsubscribed += (
            Follower.objects.filter(
                account=account, openid__in=gone[start : start + 500], subscribed=True
            )
            .exclude(subscribed_at__gte=started)
            .update(subscribed=False, unsubscribed_at=started)
        )
    log.info("followers of %s synced: %s", account.slug, result)
    return result
