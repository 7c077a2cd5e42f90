"""医院动态 pages: published articles of the account's institution, by category."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carebridge.institutions.models import Institution
from carebridge.wechat.models import Follower
from conftest import ALICE_OPENID

pytestmark = pytest.mark.django_db


def list_url(slug="renai"):
    return reverse("content:list", args=[slug])


def detail_url(article, slug="renai"):
    return reverse("content:detail", args=[slug, article.pk])


def listed(client, **params):
    """The titles the list shows, read from the page (the panel may come from the cache)."""
    response = client.get(list_url(), params)
    assert response.status_code == 200
    return re.findall(r'weui-media-box__title">([^<]*)<', response.content.decode())


def test_the_list_shows_published_articles_newest_first(client, account, publish):
    publish("院庆", published_at=timezone.now() - timedelta(days=2))
    publish("义诊", published_at=timezone.now() - timedelta(days=1))
    assert listed(client) == ["义诊", "院庆"]


@pytest.mark.parametrize(
    "category, expected",
    [("news", ["院庆"]), ("notice", ["春节门诊安排"]), ("education", ["流感预防"])],
)
def test_the_list_filters_by_tab(client, account, publish, category, expected):
    publish("院庆", "news")
    publish("春节门诊安排", "notice")
    publish("流感预防", "education")
    assert listed(client, category=category) == expected


def test_drafts_and_scheduled_articles_are_not_listed(client, account, publish):
    publish("草稿", is_published=False)
    publish("定时发布", published_at=timezone.now() + timedelta(hours=1))
    publish("已发布")
    assert listed(client) == ["已发布"]


def test_another_institutions_articles_are_not_listed(client, account, publish, other_institution):
    publish("别家新闻", institution=other_institution)
    assert listed(client) == []


def test_an_unknown_category_is_a_clear_400(client, account, publish):
    publish("院庆")
    response = client.get(list_url(), {"category": "gossip"})
    assert response.status_code == 400
    assert "没有这个栏目。" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1" * 30])
def test_a_bad_page_number_is_a_clear_400(client, account, page):
    response = client.get(list_url(), {"page": page})
    assert response.status_code == 400


def test_a_page_past_the_end_shows_the_last_page(client, account, publish):
    for i in range(16):
        publish(f"文章{i:02d}", published_at=timezone.now() - timedelta(minutes=i + 1))
    assert listed(client, page=2) == ["文章15"]
    assert listed(client, page=99) == ["文章15"]


def test_the_list_renders_in_english_with_fallback(english, account, publish):
    publish("院庆", title_en="Hospital anniversary")
    publish("义诊")
    response = english.get(list_url(), {"category": "news"})
    html = response.content.decode()
    assert "Hospital anniversary" in html and "义诊" in html and "Health education" in html


def test_an_unknown_account_is_404(client, account):
    assert client.get(list_url("nosuch")).status_code == 404


def test_the_article_page_shows_title_and_paragraphs(client, account, publish):
    article = publish("流感预防", "education", body="<p>第一段。</p><p>第二段。</p>")
    html = client.get(detail_url(article)).content.decode()
    assert "<h1>流感预防</h1>" in html
    assert "<p>第一段。</p>" in html and "<p>第二段。</p>" in html


def test_markup_outside_the_allow_list_never_reaches_the_page(client, account, publish):
    # Written past the forms (as a shell session could): sanitised again when shown.
    article = publish("测试", body='<p onclick="x()">正文</p><script>alert(1)</script>')
    html = client.get(detail_url(article)).content.decode()
    assert "alert(1)" not in html and "onclick" not in html and "<p>正文</p>" in html


def test_an_edited_article_is_shown_at_once_and_sanitised(client, account, publish):
    from carebridge.content.models import Article

    article = publish("测试", body="<p>第一稿</p>")
    assert "<p>第一稿</p>" in client.get(detail_url(article)).content.decode()
    article.body = "<p>第二稿</p>"
    article.save()
    html = client.get(detail_url(article)).content.decode()
    assert "<p>第二稿</p>" in html and "第一稿" not in html
    # Past the forms and without touching updated_at: still the new body, still sanitised.
    Article.objects.filter(pk=article.pk).update(body="<p>第三稿</p><script>alert(1)</script>")
    html = client.get(detail_url(article)).content.decode()
    assert "<p>第三稿</p>" in html and "第二稿" not in html and "alert(1)" not in html
    Article.objects.filter(pk=article.pk).update(title="改过的标题", tags="流感,疫苗")
    html = client.get(detail_url(article)).content.decode()
    assert "<h1>改过的标题</h1>" in html and "#流感 #疫苗" in html


def test_an_article_page_reads_the_account_and_the_article_and_writes_nothing(
    client, account, publish, django_assert_max_num_queries
):
    article = publish("院庆")
    client.get(detail_url(article))
    with django_assert_max_num_queries(1):  # the read is counted in memory (reads.py)
        assert client.get(detail_url(article)).status_code == 200


def test_a_signed_in_reader_is_read_with_the_account_then_the_article(
    account, publish, alice_client, django_assert_max_num_queries
):
    Follower.objects.create(account=account, openid=ALICE_OPENID)
    article = publish("院庆")
    alice_client.get(detail_url(article))
    # The session, the reader with the account, the article, the reader's like.
    with django_assert_max_num_queries(4):
        page = alice_client.get(detail_url(article)).content.decode()
    assert "<h1>院庆</h1>" in page and 'aria-pressed="false"' in page


def test_an_inactive_institutions_article_is_404(client, account, publish, alice_client):
    article = publish("院庆")
    Institution.objects.filter(pk=account.institution_id).update(is_active=False)
    assert client.get(detail_url(article)).status_code == 404
    assert alice_client.get(detail_url(article)).status_code == 404


def test_an_unknown_account_or_article_is_404(client, account, publish):
    article = publish("院庆")
    assert client.get(detail_url(article, slug="nobody")).status_code == 404
    assert client.get(reverse("content:detail", args=["renai", article.pk + 1])).status_code == 404


def test_hospital_pages_are_not_listed(client, account, publish):
    publish("医院介绍", "page")
    publish("院庆")
    assert listed(client) == ["院庆"]


def test_the_article_page_renders_in_english(english, account, publish):
    article = publish("流感预防", title_en="Preventing flu", body_en="<p>Wash your hands.</p>")
    html = english.get(detail_url(article)).content.decode()
    assert "Preventing flu" in html and "Wash your hands." in html


@pytest.mark.parametrize(
    "fields",
    [{"is_published": False}, {"published_at": timezone.now() + timedelta(days=1)}],
    ids=["draft", "scheduled"],
)
def test_an_unpublished_article_is_404(client, account, publish, fields):
    article = publish("未发布", **fields)
    assert client.get(detail_url(article)).status_code == 404


def test_another_institutions_article_is_404(client, account, publish, other_institution):
    article = publish("别家新闻", institution=other_institution)
    assert client.get(detail_url(article)).status_code == 404
    assert client.get(detail_url(article, slug="other")).status_code == 200


def test_the_cached_list_follows_every_change(client, account, publish):
    from carebridge.content.actions import publish_articles, unpublish_articles
    from carebridge.content.models import Article

    first = publish("院庆", published_at=timezone.now() - timedelta(days=2))
    assert listed(client) == ["院庆"] == listed(client)  # the second from the cache
    publish_articles(Article.objects.filter(pk=publish("义诊", is_published=False).pk))
    assert listed(client) == ["义诊", "院庆"]
    first.title = "六十周年院庆"
    first.save()
    assert listed(client) == ["义诊", "六十周年院庆"]
    unpublish_articles(Article.objects.filter(pk=first.pk))
    assert listed(client) == ["义诊"]
    publish("明天的通知", published_at=timezone.now() + timedelta(seconds=1))
    assert listed(client) == ["义诊"]


def test_a_cached_list_costs_three_queries(client, account, publish, django_assert_max_num_queries):
    for n in range(20):
        publish(f"文章{n}")
    listed(client)
    # The account, the stamp and the database cache's read (none on Redis); no articles read.
    with django_assert_max_num_queries(3):
        assert len(listed(client)) == 15
