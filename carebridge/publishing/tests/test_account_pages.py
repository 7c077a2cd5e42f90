"""A published article also goes to the account's own page (draft → freepublish), through the
outbox and the sandbox: pictures uploaded first, once per article and account, resumed after a
failure or a crash without publishing twice, WeChat's refusals recorded for staff."""

from io import BytesIO

import httpx
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from carebridge.content.actions import publish_articles, unpublish_articles
from carebridge.content.models import Article
from carebridge.outbox import worker
from carebridge.outbox.tests.clock import Clock
from carebridge.publishing.models import AccountPagePost
from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxMedia
from carebridge.wechat.client import WeChatClient
from carebridge.wechat.models import FreePublish
from carebridge.wechat.tests.outgoing_helpers import app_id, wait_until

from .conftest import staff
from .test_send_delivery import Crash, drain, expire_leases


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def png(size=(1200, 800), colour=(200, 30, 30)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def draft_article(hospital, kind="education", title="立冬话养生"):
    article = Article(institution=hospital, kind=kind, category="health", title=title,
                      summary="冬季进补有讲究", author="心内科 张医生", body="")  # fmt: skip
    article.cover.save("cover.png", ContentFile(png()), save=False)
    article.save()
    picture = article.cover.storage.save("articles/body/ecg.png", ContentFile(png((600, 400))))
    article.body = f'<p>心电图示例：</p><p><img src="/media/{picture}" alt="心电图"></p>'
    article.save(update_fields=["body"])
    return article


def published(hospital):
    article = draft_article(hospital)
    publish_articles(Article.objects.filter(pk=article.pk))
    return article


def media(kind):
    return SandboxMedia.objects.filter(kind=kind)


@pytest.mark.django_db(transaction=True)
def test_a_published_article_appears_on_the_accounts_own_page(sandbox, account, clock, settings):
    article = published(account.institution)
    post = AccountPagePost.objects.get(article=article, account=account)
    drain(clock, settings)
    row = wait_until(
        lambda: FreePublish.objects.filter(pk=post.publish_id, status="published").first(),
        timeout=20,
        what="PUBLISHJOBFINISH or the poll",
    )
    assert row.article_id and row.article_url.startswith(sandbox.url + "/sandbox/wx/mp/s/")
    # The cover went up as a thumb (a JPG of at most 64 KB), the body picture by uploadimg.
    thumb = media("thumb").get()
    assert thumb.body["format"] == "JPEG" and thumb.body["size"] <= 64 * 1024
    assert media("uploadimg").count() == 1 and media("draft").get().used
    draft = media("draft").get().body["articles"][0]
    assert draft["thumb_media_id"] == thumb.key == row.thumb_media_id
    assert draft["content_source_url"].endswith(f"/h5/renai/news/{article.pk}/")
    assert "/media/" not in draft["content"]  # pictures at WeChat's addresses only
    page = httpx.get(row.article_url).text
    assert "立冬话养生" in page and "/sandbox/wx/mmbiz/" in page
    picture = httpx.get(row.images[next(iter(row.images))])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"


@pytest.mark.django_db(transaction=True)
def test_without_the_event_the_poll_finds_the_outcome(
    sandbox, account, clock, settings, monkeypatch
):
    from carebridge.sandbox.wxapi import publish

    monkeypatch.setattr(publish, "report_later", lambda slug, message: None)  # event lost
    monkeypatch.setattr(publish, "REPORT_DELAY", 0)  # WeChat done at once: no real waiting
    post = AccountPagePost.objects.get(article=published(account.institution))
    drain(clock, settings)
    row = FreePublish.objects.get(pk=post.publish_id)
    assert row.status == "published" and row.article_url and row.report["publish_status"] == 0


@pytest.mark.django_db(transaction=True)
def test_it_publishes_once_per_article_and_account(sandbox, account, clock, settings):
    article = published(account.institution)
    drain(clock, settings)
    unpublish_articles(Article.objects.filter(pk=article.pk))
    publish_articles(Article.objects.filter(pk=article.pk))
    drain(clock, settings)
    assert AccountPagePost.objects.count() == 1 and media("publish").count() == 1


@pytest.mark.django_db
def test_about_pages_and_doctor_updates_stay_off_the_page(account):
    for kind in ("page", "doctor"):
        publish_articles(Article.objects.filter(pk=draft_article(account.institution, kind).pk))
    assert not AccountPagePost.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_busy_wechat_is_retried_from_the_step_that_failed(sandbox, account, clock, settings):
    wxapi.inject_error(app_id(account), 45009, path="/draft/add")  # daily quota: passing
    post = AccountPagePost.objects.get(article=published(account.institution))
    worker.run_once()
    row = FreePublish.objects.get(pk=post.publish_id)
    assert row.status == "queued" and row.thumb_media_id and not row.media_id
    drain(clock, settings)
    row.refresh_from_db()
    assert row.status in ("submitted", "published")
    assert media("thumb").count() == 1 and media("uploadimg").count() == 1  # not uploaded again


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_submitting_never_publishes_twice(
    sandbox, account, clock, settings, monkeypatch
):
    post = AccountPagePost.objects.get(article=published(account.institution))
    real_post = WeChatClient.post

    def post_then_crash(self, path, json=None, params=None):
        answer = real_post(self, path, json, params)
        if path.endswith("/freepublish/submit"):
            raise Crash("killed before recording the publish_id")
        return answer

    monkeypatch.setattr(WeChatClient, "post", post_then_crash)
    with pytest.raises(Crash):
        worker.run_once()
    monkeypatch.setattr(WeChatClient, "post", real_post)
    expire_leases(settings)
    drain(clock, settings)
    row = FreePublish.objects.get(pk=post.publish_id)
    assert media("publish").count() == 1  # WeChat published it once
    assert row.status == "failed" and "answer was lost" in row.error


@pytest.mark.django_db(transaction=True)
def test_a_refusal_is_recorded_for_staff_and_can_be_retried(
    sandbox, account, clock, settings, client
):
    wxapi.inject_error(app_id(account), 48001, path="/freepublish/submit")
    post = AccountPagePost.objects.get(article=published(account.institution))
    drain(clock, settings)
    row = FreePublish.objects.get(pk=post.publish_id)
    assert row.status == "failed" and "48001" in row.error and "权限" in row.error

    ops = staff("ops_li", account.institution, ["view_accountpagepost"])
    client.force_login(ops)
    page = client.get("/admin/publishing/accountpagepost/")
    assert page.status_code == 200 and "48001" in page.content.decode()
    client.post(
        "/admin/publishing/accountpagepost/",
        {"action": "retry", "_selected_action": [post.pk]},
    )
    post.refresh_from_db()
    assert post.publish_id != row.pk and post.publish.status == "queued"
    drain(clock, settings)
    post.publish.refresh_from_db()
    assert post.publish.status in ("submitted", "published")


@pytest.mark.django_db
def test_another_institutions_staff_do_not_see_the_posts(account, other_hospital, client):
    published(account.institution)
    client.force_login(staff("ops_zhao", other_hospital, ["view_accountpagepost"]))
    page = client.get("/admin/publishing/accountpagepost/")
    assert page.status_code == 200 and "立冬话养生" not in page.content.decode()
    post = AccountPagePost.objects.get()
    assert client.get(f"/admin/publishing/accountpagepost/{post.pk}/change/").status_code in (
        302,
        404,
    )


@pytest.mark.django_db
def test_a_publication_rolled_back_queues_nothing(account):
    from django.db import transaction

    from carebridge.outbox.models import OutboxMessage

    article = draft_article(account.institution)
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_articles(Article.objects.filter(pk=article.pk))
        raise RuntimeError("the admin's request failed after publishing")
    assert not AccountPagePost.objects.exists() and not FreePublish.objects.exists()
    assert not OutboxMessage.objects.filter(topic="wechat.freepublish").exists()


@pytest.mark.django_db
def test_each_account_of_the_institution_gets_the_article(account):
    from carebridge.institutions.models import WeChatAccount

    second = WeChatAccount.objects.create(institution=account.institution, slug="renai-sub",
                                          name="仁爱医院订阅号")  # fmt: skip
    article = published(account.institution)
    assert set(AccountPagePost.objects.values_list("account", flat=True)) == {account.pk, second.pk}
    assert all(p.publish.source_url.endswith(f"/news/{article.pk}/") for p in
               AccountPagePost.objects.select_related("publish"))  # fmt: skip
