"""Reads and likes of an article; the share card's title, image and link."""

import json

import pytest
from django.test import Client
from django.urls import reverse

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
    client.get(detail(article))
    assert Article.objects.get().reads == 2


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
    assert alice_client.get(like_url(article)).status_code == 405
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


def test_the_counts_read_in_english(english, account, publish):
    article = publish("院庆", title_en="Anniversary")
    page = english.get(detail(article)).content.decode()
    assert "1 read" in page and "0 likes" in page and ">Like<" in page
