"""The demo as a new user meets it (issue 10): every menu item and every link in the account's
replies opens a real page for a signed-in user, with DEBUG off as `carebridge demo` runs it;
the items built by later issues say what will be there."""

import re

import pytest

from carebridge.institutions.demo.load import load_demo
from carebridge.wechat.models import AutoReply, MenuButton
from conftest import wechat_session

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
LINK = re.compile(r'href="([^"]+)"')
ASSET = re.compile(r'<(?:link|script|img)\b[^>]*\b(?:href|src)="([^"]+)"')
DEBUG_PAGE = ("URLconf", "Traceback", "DEBUG = True", "Using the URLconf")


@pytest.fixture
def demo(settings):
    settings.DEBUG = False
    return load_demo(SITE)


@pytest.fixture
def demo_user(client, demo):
    return wechat_session(client, demo.account, "o_demo_newcomer_000000000000")


def demo_urls(account) -> list[str]:
    menu = MenuButton.objects.filter(account=account, type="view").values_list("url", flat=True)
    replies = AutoReply.objects.filter(account=account).values_list("text", flat=True)
    linked = [url for text in replies for url in LINK.findall(text)]
    return sorted(set(menu) | set(linked))


def open_page(client, url: str) -> str:
    response = client.get(url.removeprefix(SITE), follow=True)
    page = response.content.decode()
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert not any(sign in page for sign in DEBUG_PAGE), url
    for asset in ASSET.findall(page):
        served = client.get(asset)
        assert served.status_code == 200, f"{asset} of {url}"
        # Read to the end: the test client then closes the file without closing the database.
        assert b"".join(served.streaming_content) if served.streaming else served.content
    return page


def test_every_menu_item_and_reply_link_opens_a_real_page(demo, demo_user):
    urls = demo_urls(demo.account)
    assert len(urls) >= 12 and all(u.startswith(f"{SITE}/h5/demo/") for u in urls), urls
    for url in urls:
        open_page(demo_user, url)


def test_the_menus_surveys_item_opens_the_surveys_page(demo, demo_user):
    page = open_page(demo_user, "/h5/demo/surveys/")
    assert "<title>满意度调查 · " in page and "此功能尚未开通" not in page
    assert 'href="/h5/demo/constitution/"' in page  # the self-assessment, from the same page
    assert "h5/h5.css" in page  # the patient pages' base template


@pytest.mark.parametrize(
    "path, title",
    [
        ("orders/", "我的服务单"),
        ("orders/?status=unpaid", "待支付订单"),
        ("bills/", "门诊缴费"),
        ("me/", "个人中心"),
    ],
)
def test_the_menus_billing_items_open_billings_pages(demo, demo_user, path, title):
    page = open_page(demo_user, f"/h5/demo/{path}")
    assert f"<title>{title} · " in page and "此功能尚未开通" not in page


def test_the_personal_centre_leads_to_the_pages_that_exist(demo, demo_user):
    page = open_page(demo_user, "/h5/demo/me/")
    assert 'href="/h5/demo/patients/"' in page and 'href="/h5/demo/appointments/"' in page
    assert 'href="/h5/demo/reports/"' in page and 'href="/h5/demo/visits/"' in page
    assert 'href="/h5/demo/surveys/"' in page and 'href="/h5/demo/constitution/"' in page


def test_the_menus_reports_item_opens_the_report_list(demo, demo_user):
    page = open_page(demo_user, "/h5/demo/reports/")
    assert "<title>查报告单" in page and "此功能尚未开通" not in page


def test_the_surveys_page_is_in_english_too(demo, demo_user):
    demo_user.post("/i18n/setlang/", {"language": "en", "next": "/h5/demo/surveys/"})
    page = open_page(demo_user, "/h5/demo/surveys/")
    assert 'lang="en"' in page and "Satisfaction survey" in page


def test_another_accounts_url_is_a_404(demo, demo_user):
    assert demo_user.get("/h5/nowhere/reports/").status_code == 404
