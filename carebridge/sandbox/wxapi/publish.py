"""The account's own page: /cgi-bin/material/add_material, /media/uploadimg, /draft/add,
/draft/get, /freepublish/submit and /freepublish/get, and the pages and pictures they make.

WeChat's limits: a thumb is a JPG of at most 64 KB; an image material (bmp, png, jpeg, jpg,
gif) at most 10 MB; a body picture (uploadimg) a JPG or PNG under 1 MB; a draft has 1 to 8
articles, each with a title, content and a thumb_media_id of this account's. A submitted draft
leaves the draft box (draft/get and a second submit answer 40007). Publishing takes a moment:
freepublish/get says 1 (publishing) until REPORT_DELAY has passed, then 0 with the article's
id and URL, and PUBLISHJOBFINISH reports the same to the callback.
"""

import secrets
import time
from io import BytesIO

import nh3
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from PIL import Image, UnidentifiedImageError

from ..guard import sandbox_only
from ..models import SandboxMedia
from ..registry import account_for
from . import REPORT_DELAY, ApiError, answer, api, ok, report_later

THUMB_BYTES = 64 * 1024
IMAGE_BYTES = 10 * 1024 * 1024
UPLOADIMG_BYTES = 1024 * 1024
MATERIAL_FORMATS = {"thumb": {"JPEG"}, "image": {"BMP", "PNG", "JPEG", "GIF"}}
MAX_ARTICLES = 8


def _picture(request, formats: set[str], limit: int) -> tuple[bytes, str]:
    upload = request.FILES.get("media")
    if upload is None:
        raise ApiError(41005, "media data missing")
    data = upload.read()
    if len(data) > limit:
        raise ApiError(40006, "invalid meida size")
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format
    except (UnidentifiedImageError, OSError) as exc:
        raise ApiError(40005, "invalid file type") from exc
    if kind not in formats:
        raise ApiError(40005, "invalid file type")
    return data, kind


def _store(app_id: str, kind: str, key: str, data: bytes = b"", **body) -> SandboxMedia:
    return SandboxMedia.objects.create(app_id=app_id, kind=kind, key=key, data=data, body=body)


def picture_url(key: str) -> str:
    return settings.SITE_URL + reverse("sandbox:mmbiz", args=[key])


@api("POST", upload=True)
def add_material(request, app_id, body):
    kind = request.GET.get("type", "")
    if kind not in ("image", "thumb", "voice", "video"):
        raise ApiError(40004, "invalid media type")
    if kind not in MATERIAL_FORMATS:
        raise ApiError(40005, "invalid file type")  # the sandbox keeps pictures only
    limit = THUMB_BYTES if kind == "thumb" else IMAGE_BYTES
    data, image_format = _picture(request, MATERIAL_FORMATS[kind], limit)
    media_id = secrets.token_urlsafe(48)
    _store(app_id, kind, media_id, data, format=image_format, size=len(data))
    return answer({"media_id": media_id, "url": picture_url(media_id)})


@api("POST", upload=True)
def uploadimg(request, app_id, body):
    data, image_format = _picture(request, {"JPEG", "PNG"}, UPLOADIMG_BYTES - 1)
    key = secrets.token_urlsafe(32)
    _store(app_id, "uploadimg", key, data, format=image_format, size=len(data))
    return answer({"url": picture_url(key)})


def _checked_article(app_id: str, article) -> dict:
    if not isinstance(article, dict):
        raise ApiError(47001, "data format error")
    if not str(article.get("title") or "").strip() or not str(article.get("content") or ""):
        raise ApiError(44003, "empty news data")
    if len(str(article["title"])) > 64:
        raise ApiError(45003, "title size out of limit")
    thumb = article.get("thumb_media_id")
    if not SandboxMedia.objects.filter(
        app_id=app_id, kind__in=("thumb", "image"), key=str(thumb or "")
    ).exists():
        raise ApiError(40007, "invalid media_id")
    return article


@api("POST")
def draft_add(request, app_id, body):
    articles = body.get("articles")
    if not isinstance(articles, list) or not 1 <= len(articles) <= MAX_ARTICLES:
        raise ApiError(44003, "empty news data")
    checked = [_checked_article(app_id, a) for a in articles]
    media_id = secrets.token_urlsafe(48)
    _store(app_id, "draft", media_id, articles=checked)
    return ok(media_id=media_id)


def _draft(app_id: str, body: dict) -> SandboxMedia:
    draft = SandboxMedia.objects.filter(
        app_id=app_id, kind="draft", key=str(body.get("media_id") or ""), used=False
    ).first()
    if draft is None:
        raise ApiError(40007, "invalid media_id")
    return draft


@api("POST")
def draft_get(request, app_id, body):
    return ok(news_item=_draft(app_id, body).body["articles"])


@api("POST")
def freepublish_submit(request, app_id, body):
    account = account_for(app_id)
    if account is None:
        raise ApiError(40013, "invalid appid")
    with transaction.atomic():
        draft = _draft(app_id, body)
        if not SandboxMedia.objects.filter(pk=draft.pk, used=False).update(used=True):
            raise ApiError(40007, "invalid media_id")  # a concurrent submit took it
        publish_id = str(2_247_000_000 + draft.pk)
        article_id = secrets.token_urlsafe(30)
        url = settings.SITE_URL + reverse("sandbox:mp_article", args=[article_id])
        info = {
            "publish_id": publish_id,
            "publish_status": 0,
            "article_id": article_id,
            "article_detail": {"count": 1, "item": {"idx": 1, "article_url": url}},
        }
        _store(app_id, "publish", publish_id, ready_at=time.time() + REPORT_DELAY, info=info,
               articles=draft.body["articles"])  # fmt: skip
        _store(app_id, "article", article_id, articles=draft.body["articles"])
        report_later(
            account.slug,
            {
                "ToUserName": account.original_id or "gh_sandbox",
                "FromUserName": "oSandboxMpAdmin",
                "CreateTime": int(time.time()),
                "MsgType": "event",
                "Event": "PUBLISHJOBFINISH",
                "PublishEventInfo": info,
            },
        )
    return ok(publish_id=publish_id, msg_data_id=int(publish_id))


@api("POST")
def freepublish_get(request, app_id, body):
    row = SandboxMedia.objects.filter(
        app_id=app_id, kind="publish", key=str(body.get("publish_id") or "")
    ).first()
    if row is None:
        raise ApiError(40007, "invalid publish_id")
    if time.time() < row.body["ready_at"]:
        return ok(publish_id=row.key, publish_status=1, fail_idx=[])
    info = row.body["info"]
    detail = {**info["article_detail"], "item": [info["article_detail"]["item"]]}
    return ok(**{**info, "article_detail": detail}, fail_idx=[])


@sandbox_only
def mmbiz(request, key):
    """A picture uploaded to the sandbox (WeChat's mmbiz.qpic.cn)."""
    row = get_object_or_404(SandboxMedia, key=key, kind__in=("thumb", "image", "uploadimg"))
    kind = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "BMP": "bmp"}.get(row.body.get("format"))
    return HttpResponse(bytes(row.data), content_type=f"image/{kind or 'jpeg'}")


@sandbox_only
def mp_article(request, article_id):
    """A published article as the account's own page shows it (mp.weixin.qq.com/s/…)."""
    row = SandboxMedia.objects.filter(key=article_id, kind="article").first()
    if row is None:
        raise Http404("no such article")
    article = row.body["articles"][0]
    context = {"title": article["title"], "author": article.get("author", ""),
               "content": nh3.clean(article["content"])}  # fmt: skip
    return render(request, "sandbox/mp_article.html", context)
