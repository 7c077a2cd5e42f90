"""The report journey in a real browser (issue 13): Playwright drives Debian's chromium (never
a downloaded one) against the live server. alice opens 查报告单 from the home page, opens her
abnormal report, shares it for a day, a doctor opens the link in a browser of his own (no
WeChat sign-in), alice sees his visit logged, revokes the link, and the doctor is refused.

A full-page screenshot of every step goes to test-artifacts/browser/ (ignored by git); any
script or console error fails the test."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from carebridge.tests.browser import TIMEOUT_MS
from conftest import ALICE_OPENID, wechat_session

from .pages import alice_reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"


def open_context(browser, live_server, errors, cookie=None):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 800}, base_url=live_server.url
    )
    context.set_default_timeout(TIMEOUT_MS)
    if cookie:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda message: _console(message, errors))
    return context, page


def _console(message, errors) -> None:
    # Chromium logs every non-2xx page it loads (the refused link's 410 is one by design) and
    # asks every site for /favicon.ico (the project has none).
    expected = message.text.startswith("Failed to load resource") or message.location[
        "url"
    ].endswith("/favicon.ico")
    if message.type == "error" and not expected:
        errors.append(f"console: {message.text}")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"results-{name}.png"), full_page=True)


def test_alice_shares_her_abnormal_report_and_revokes_it(
    browser, live_server, settings, account, alice, alice_self
):
    settings.SITE_URL = live_server.url  # the site the links are made for, as deployed
    alice_reports(alice_self)
    cookie = wechat_session(Client(), account, ALICE_OPENID).cookies["sessionid"].value
    errors: list[str] = []
    phone, page = open_context(browser, live_server, errors, cookie)
    page.goto("/h5/renai/")
    page.get_by_role("link", name="查报告单").first.click()
    expect(page.locator("h1")).to_have_text("查报告单")
    shot(page, "1-list")
    page.locator("a.weui-cell", has_text="有异常").click()
    expect(page.get_by_text("偏高 (H)")).to_be_visible()
    expect(page.get_by_text("参考范围：3.5–9.5 10^9/L")).to_be_visible()
    shot(page, "2-report")

    page.get_by_label("有效期").select_option(label="1天")
    page.get_by_role("button", name="生成分享链接").click()
    link = page.get_by_label("分享链接（只显示这一次，请现在复制）").input_value()
    assert link.startswith(f"{live_server.url}/shared/reports/")
    shot(page, "3-shared")

    doctor, elsewhere = open_context(browser, live_server, errors)
    elsewhere.goto(link)
    expect(elsewhere.get_by_text("就诊人：王*红")).to_be_visible()
    expect(elsewhere.get_by_text("偏高 (H)")).to_be_visible()
    assert "王小红" not in elsewhere.content()
    shot(elsewhere, "4-doctor")

    page.reload()
    expect(page.get_by_text("被打开 1 次")).to_be_visible()
    page.get_by_role("button", name="撤销此链接").click()
    expect(page.get_by_text("分享链接已撤销，对方将无法再打开")).to_be_visible()
    shot(page, "5-revoked")

    response = elsewhere.goto(link)
    assert response.status == 410
    expect(elsewhere.get_by_text("患者已撤销这个分享链接。")).to_be_visible()
    assert "白细胞" not in elsewhere.content()
    shot(elsewhere, "6-refused")
    doctor.close()
    phone.close()
    assert errors == []
