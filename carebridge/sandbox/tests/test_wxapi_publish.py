"""The sandbox's material, draft and freepublish APIs refuse what WeChat refuses."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from carebridge.sandbox.models import SandboxMedia
from carebridge.sandbox.wxapi.tokens import issue

BASE = "/sandbox/wx/cgi-bin"


def picture(fmt="JPEG", size=(300, 200), noise=False) -> bytes:
    image = Image.effect_noise(size, 100).convert("RGB") if noise else Image.new("RGB", size)
    out = BytesIO()
    image.save(out, fmt, quality=95)
    return out.getvalue()


@pytest.fixture
def api(client, account):
    token = issue(account.credentials.app_id, "stable").value

    def call(path, body=None, upload=None, **params):
        url = f"{BASE}/{path}"
        query = {**params, "access_token": token}
        if upload is not None:
            files = {} if upload is False else {"media": SimpleUploadedFile("a.jpg", upload)}
            query_string = "&".join(f"{k}={v}" for k, v in query.items())
            return client.post(f"{url}?{query_string}", files).json()
        url += f"?access_token={token}"
        return client.post(url, body, content_type="application/json").json()

    return call


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params", "upload", "errcode"),
    [
        ("material/add_material", {"type": "thumb"}, False, 41005),  # no file
        ("material/add_material", {"type": "sticker"}, b"x", 40004),  # no such type
        ("material/add_material", {"type": "thumb"}, b"not a picture", 40005),
        ("material/add_material", {"type": "thumb"}, "png", 40005),  # a thumb is a JPG
        ("material/add_material", {"type": "thumb"}, "big", 40006),  # over 64 KB
        ("media/uploadimg", {}, "gif", 40005),  # JPG or PNG only
    ],
)
def test_uploads_refuse_what_wechat_refuses(api, path, params, upload, errcode):
    if upload == "png":
        upload = picture("PNG")
    elif upload == "gif":
        upload = picture("GIF")
    elif upload == "big":
        upload = picture(size=(900, 900), noise=True)
    assert api(path, upload=upload, **params)["errcode"] == errcode
    assert not SandboxMedia.objects.exists()


@pytest.mark.django_db
def test_a_draft_needs_articles_and_a_thumb_of_its_own_account(api):
    assert api("draft/add", {"articles": []})["errcode"] == 44003
    article = {"title": "标题", "content": "<p>正文</p>", "thumb_media_id": "someone-elses"}
    assert api("draft/add", {"articles": [article]})["errcode"] == 40007
    assert api("draft/add", {"articles": [{**article, "title": ""}]})["errcode"] == 44003
    assert api("draft/add", {"articles": [{**article, "title": "长" * 65}]})["errcode"] == 45003
    assert api("draft/add", "not json")["errcode"] == 47001


@pytest.mark.django_db
def test_a_submitted_draft_leaves_the_draft_box(api):
    thumb = api("material/add_material", upload=picture(), type="thumb")["media_id"]
    article = {"title": "标题", "content": "<p>正文</p>", "thumb_media_id": thumb}
    media_id = api("draft/add", {"articles": [article]})["media_id"]
    assert api("draft/get", {"media_id": media_id})["news_item"][0]["title"] == "标题"
    answer = api("freepublish/submit", {"media_id": media_id})
    assert answer["errcode"] == 0 and answer["publish_id"].isdigit()
    assert api("freepublish/submit", {"media_id": media_id})["errcode"] == 40007
    assert api("draft/get", {"media_id": media_id})["errcode"] == 40007
    status = api("freepublish/get", {"publish_id": answer["publish_id"]})
    assert status["publish_status"] in (0, 1)
    assert api("freepublish/get", {"publish_id": "1"})["errcode"] == 40007


@pytest.mark.django_db
def test_once_published_get_gives_the_article_and_its_url(api, monkeypatch):
    from carebridge.sandbox.wxapi import publish

    monkeypatch.setattr(publish, "REPORT_DELAY", 0)  # published at once
    thumb = api("material/add_material", upload=picture(), type="thumb")["media_id"]
    article = {"title": "标题", "content": "<p>正文</p>", "thumb_media_id": thumb}
    media_id = api("draft/add", {"articles": [article]})["media_id"]
    publish_id = api("freepublish/submit", {"media_id": media_id})["publish_id"]
    status = api("freepublish/get", {"publish_id": publish_id})
    assert status["publish_status"] == 0 and status["article_id"]
    item = status["article_detail"]["item"][0]
    assert item["idx"] == 1 and "/sandbox/wx/mp/s/" in item["article_url"]
