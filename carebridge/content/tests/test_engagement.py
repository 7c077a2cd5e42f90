"""Reads and likes of an article; the share card's title, image and link."""

import json
from unittest import mock

import pytest
from django.db import DatabaseError
from django.db.models import F, QuerySet
from django.test import Client
from django.urls import reverse

from carebridge.content import reads
from carebridge.content.actions import toggle_like
from carebridge.content.models import Article, ArticleLike
from carebridge.wechat.models import Follower

pytestmark = pytest.mark.django_db


def detail(article):
    return reverse("content:detail", args=["renai", article.pk])


def like_url(article):
    return reverse("content:like", args=["renai", article.pk])


def test_each_view_is_a_read(client, account, publish):
    article = publish("院庆")
    client.get(detail(article))
    assert "阅读 2" in client.get(detail(article)).content.decode()
    assert reads.flush() == 2
    assert Article.objects.get().reads == 2


def test_reads_are_written_in_batches_and_shown_right_after_the_flush(client, account, publish):
    first, second = publish("院庆"), publish("义诊")
    for _ in range(3):
        client.get(detail(first))
    client.get(detail(second))
    assert Article.objects.get(pk=first.pk).reads == 0  # counted, not yet written
    assert reads.flush() == 4
    assert reads.flush() == 0  # written once
    assert Article.objects.get(pk=first.pk).reads == 3
    assert Article.objects.get(pk=second.pk).reads == 1
    assert "阅读 4" in client.get(detail(first)).content.decode()
    assert "阅读 2" in client.get(detail(second)).content.decode()


def test_a_flush_adds_to_what_other_processes_wrote(client, account, publish):
    article = publish("院庆", reads=10)
    client.get(detail(article))
    # Another process's flush meanwhile: the increments add up, none is lost.
    Article.objects.filter(pk=article.pk).update(reads=F("reads") + 5)
    reads.flush()
    assert Article.objects.get().reads == 16


def test_a_failed_flush_keeps_its_reads_for_the_next(client, account, publish):
    article = publish("院庆")
    client.get(detail(article))
    client.get(detail(article))
    with mock.patch.object(QuerySet, "update", side_effect=DatabaseError("away")):
        with pytest.raises(DatabaseError):
            reads.flush()
    assert "阅读 3" in client.get(detail(article)).content.decode()
    assert reads.flush() == 3
    assert Article.objects.get().reads == 3


def test_only_a_web_server_starts_a_flushing_thread(client, account, publish, monkeypatch):
    article = publish("院庆")
    started = []
    monkeypatch.setattr(reads, "_start_flusher", lambda: started.append(True))
    client.get(detail(article))
    assert started == []
    monkeypatch.setattr(reads, "_in_background", True)
    monkeypatch.setattr(reads, "_flusher_pid", None)
    client.get(detail(article))
    assert started == [True]


def test_a_like_toggles_and_counts_once_per_user(alice_client, bob_client, account, publish):
    article = publish("院庆")
    alice_client.post(like_url(article))
    bob_client.post(like_url(article))
    assert Article.objects.get().likes == 2
    alice_client.post(like_url(article))
    assert Article.objects.get().likes == 1
    page = bob_client.get(detail(article)).content.decode()
    assert 'aria-pressed="true"' in page and "1 人点赞" in page


def test_a_second_like_row_is_impossible(account, publish):
    article = publish("院庆")
    follower = Follower.objects.create(account=account, openid="o_x")
    assert toggle_like(follower, article) is True
    assert toggle_like(follower, article) is False
    assert toggle_like(follower, article) is True
    assert ArticleLike.objects.count() == 1 and Article.objects.get().likes == 1


def test_liking_needs_a_wechat_user(client, account, publish):
    article = publish("院庆")
    response = client.post(like_url(article))
    assert response.status_code == 302 and "oauth" in response["Location"]
    assert Article.objects.get().likes == 0


def test_liking_needs_post_and_csrf(account, publish, alice_client):
    article = publish("院庆")
    # A GET is the way back from WeChat's sign-in: to the article, nothing liked.
    response = alice_client.get(like_url(article))
    assert response.status_code == 302 and response["Location"] == detail(article) + "#like"
    assert alice_client.put(like_url(article)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = alice_client.cookies
    assert strict.post(like_url(article)).status_code == 403
    assert Article.objects.get().likes == 0


def test_a_draft_or_another_institutions_article_cannot_be_liked(
    alice_client, account, publish, other_institution
):
    draft = publish("草稿", is_published=False)
    theirs = publish("别家", institution=other_institution)
    assert alice_client.post(like_url(draft)).status_code == 404
    assert alice_client.post(like_url(theirs)).status_code == 404


def test_the_share_card_has_title_summary_link_and_image(client, account, publish, settings):
    article = publish("流感预防", summary="勤洗手", cover="articles/c.jpg")
    page = client.get(detail(article))
    share = json.loads(page.content.decode().split('id="share-data" type="application/json">')[1]
                       .split("</script>")[0])  # fmt: skip
    assert share["title"] == "流感预防" and share["desc"] == "勤洗手"
    assert share["link"] == settings.SITE_URL + detail(article)
    assert share["imgUrl"] == settings.SITE_URL + "/media/articles/c.jpg"
    assert share["config"] == "/wechat/renai/jssdk/"


def test_the_page_loads_the_sandboxs_jssdk_stand_in_for_any_browser(client, account, publish):
    page = client.get(detail(publish("流感预防"))).content.decode()
    assert '<script src="/static/sandbox/jweixin.js" defer>' in page and "share.js" in page


def test_wechats_own_jssdk_is_loaded_only_inside_wechat(client, account, publish, settings):
    settings.WECHAT_JSSDK_SCRIPT = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
    article = publish("流感预防")
    outside = client.get(detail(article)).content.decode()
    assert "jweixin" not in outside and "share-data" not in outside
    wechat_ua = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI"
    inside = client.get(detail(article), HTTP_USER_AGENT=wechat_ua).content.decode()
    assert 'src="https://res.wx.qq.com/open/js/jweixin-1.6.0.js"' in inside
    settings.WECHAT_JSSDK_SCRIPT = ""  # sharing turned off
    assert "share.js" not in client.get(detail(article), HTTP_USER_AGENT=wechat_ua).content.decode()


def test_the_counts_read_in_english(english, account, publish):
    article = publish("院庆", title_en="Anniversary")
    page = english.get(detail(article)).content.decode()
    assert "1 read" in page and "0 likes" in page and ">Like<" in page
