"""医院动态 in a real browser on the simulated phone: the menu opens it, its three tabs list
their kinds, an article is liked once per WeChat user (signing in first through the sandbox's
OAuth), and the page's JS-SDK share card (wx.config checked by the sandbox's jweixin stand-in)
carries the article's title, cover and link to the simulator's "分享给朋友"."""

import re
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from carebridge.booking.tests.test_browser import Phone
from carebridge.content.models import Article, ArticleLike
from carebridge.institutions.demo.load import load_demo
from carebridge.sandbox import wxapi
from carebridge.wechat.actions.menu import sync_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = {
    "新闻动态": ["新闻动态"],
    "通知公告": ["通知公告", "出诊排班公告"],
    "健康宣教": ["健康宣教"],
}


@pytest.fixture
def demo(sandbox, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    loaded = load_demo(sandbox.url)
    sync_menu(loaded.account)
    # The newest health-education article gets a cover, for the share card's picture.
    article = Article.objects.published().filter(institution=loaded.institution, kind="education")
    article = article.first()
    out = BytesIO()
    Image.new("RGB", (900, 500), (7, 193, 96)).save(out, "JPEG")
    article.cover.save("cover.jpg", ContentFile(out.getvalue()))
    loaded.article = article
    yield loaded
    wxapi.wait_for_reports()


@pytest.fixture
def phones(browser, sandbox):
    opened = []

    def open_phone(nickname):
        phone = Phone(browser, sandbox.url)
        opened.append(phone)
        phone.open_simulator()
        phone.new_user(nickname)
        phone.follow()
        return phone

    yield open_phone
    for phone in opened:
        phone.context.close()


def sign_in_by_liking(phone):
    """A reader's first like goes through WeChat's sign-in and comes back to the article."""
    frame = phone.page.locator("#browser-frame").element_handle().content_frame()
    phone.web.get_by_role("button", name="点赞").click()
    frame.wait_for_url(re.compile(r"/news/\d+/#like$"))
    expect(phone.web.get_by_role("button", name="点赞")).to_be_visible()


def like(phone, pressed_before: str, pressed_after: str, count: str):
    web = phone.web
    web.get_by_role("button", name=pressed_before).click()
    expect(web.get_by_role("button", name=pressed_after)).to_be_visible()
    expect(web.locator("#like")).to_contain_text(count)


def test_news_tabs_a_like_per_user_and_the_share_card(demo, phones, sandbox):
    phone = phones("小林")
    web = phone.web
    phone.tap("关于医院", "医院动态")
    expect(phone.page.locator("#browser-title")).to_contain_text("医院动态")
    for tab, kinds in TABS.items():
        web.locator(".h5-tabs").get_by_role("link", name=tab).click()
        expect(web.locator('.h5-tabs [aria-current="page"]')).to_have_text(tab)
        listed = web.locator(".h5-article .weui-media-box__info__meta:first-child")
        expect(listed.first).to_be_visible()
        assert set(listed.all_inner_texts()) <= set(kinds), tab
    phone.shot("news-1-education")

    article = demo.article
    web.get_by_role("link", name=article.title).first.click()
    expect(web.locator("h1")).to_have_text(article.title)
    # The share card, as a friend would get it: set by the page through the JS-SDK.
    share = phone.page.locator("#browser-share")
    expect(share).to_be_visible()
    expect(share.locator("#share-title")).to_have_text(article.title)
    expect(share.locator("#share-desc")).to_have_text(article.summary)
    link = f"{sandbox.url}/h5/demo/news/{article.pk}/"
    expect(share.locator("#share-link")).to_have_text(link)
    expect(share.locator("#share-image")).to_have_attribute("src", sandbox.url + article.cover.url)
    expect(share.locator("#share-timeline-title")).to_have_text(article.title)
    phone.shot("news-2-article-shared")

    # The first tap signs her in (WeChat's OAuth) and brings her back; the next one likes.
    likes = article.likes  # the demo's count, kept apart from the like rows
    sign_in_by_liking(phone)
    like(phone, "点赞", "已赞", f"{likes + 1} 人点赞")
    like(phone, "已赞", "点赞", f"{likes} 人点赞")  # a second tap takes it back
    like(phone, "点赞", "已赞", f"{likes + 1} 人点赞")
    phone.shot("news-3-liked")

    other = phones("小王")
    other.tap("关于医院", "医院动态")
    other.web.get_by_role("link", name=article.title).first.click()
    sign_in_by_liking(other)
    like(other, "点赞", "已赞", f"{likes + 2} 人点赞")
    assert ArticleLike.objects.filter(article=article).count() == 2
    assert Article.objects.get(pk=article.pk).likes == likes + 2
    assert phone.errors == [] and other.errors == []
