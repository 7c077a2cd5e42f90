"""Department lists on a narrow phone, in a real browser (issue 10): at 320 and 360 px, and in
the phone simulator's frame, no department name wraps onto more lines than its text needs (it
once shrank to one character a line beside its location). Playwright drives Debian's chromium
as in booking/tests/test_browser.py; screenshots go to test-artifacts/browser/."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from carebridge.booking.tests.helpers import make_session
from carebridge.institutions.demo.load import load_demo
from carebridge.institutions.models import Doctor
from carebridge.tests.browser import TIMEOUT_MS
from carebridge.wechat.actions.menu import sync_menu
from conftest import wechat_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
PAGES = ["departments/", "booking/", "search/?q=科"]  # 科室介绍, 预约挂号, a search's departments

# For each name: its box, its line height, and the width of its text on one line.
MEASURE = """names => names.map(name => {
  const box = name.getBoundingClientRect();
  const probe = name.cloneNode(true);
  probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;width:auto";
  name.parentNode.appendChild(probe);
  const oneLine = probe.getBoundingClientRect().width;
  probe.remove();
  const lineHeight = parseFloat(getComputedStyle(name).lineHeight);
  return {text: name.innerText, width: box.width, height: box.height, lineHeight, oneLine};
})"""


@pytest.fixture
def demo(sandbox):
    loaded = load_demo(sandbox.url)
    sync_menu(loaded.account)
    return loaded


def signed_in_cookie(account, base_url: str) -> dict:
    """A WeChat user's session (as OAuth leaves it) for the browser: booking needs one."""
    client = wechat_session(Client(), account, "o_narrow_phone_00000000000000")
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}


def assert_names_use_the_lines_they_need(frame, where: str, least: int = 5) -> None:
    names = frame.locator(".h5-cell-name")
    expect(names.first).to_be_visible()
    measured = names.evaluate_all(MEASURE)
    assert len(measured) >= least, where
    for name in measured:
        needed = -(-round(name["oneLine"]) // max(1, round(name["width"])))  # ceil
        lines = round(name["height"] / name["lineHeight"])
        assert lines <= max(1, needed), f"{where}: {name}"
        assert name["width"] > 3 * name["lineHeight"], f"{where}: squeezed {name}"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [320, 360])
def test_department_names_keep_their_width_on_a_narrow_phone(
    browser, demo, live_server, width, language
):
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [
            signed_in_cookie(demo.account, live_server.url),
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(f"{live_server.url}/h5/demo/{path}")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = path.split("/")[0]
            page.screenshot(path=str(ARTIFACTS / f"narrow-{name}-{width}-{language}.png"))
            assert_names_use_the_lines_they_need(page, f"{path} at {width} px, {language}")
    finally:
        context.close()


def test_department_names_keep_their_width_in_the_simulators_phone(browser, demo, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/sandbox/?account=demo")
        page.get_by_placeholder("新用户昵称").fill("小窄")
        page.get_by_role("button", name="新建").click()
        page.locator(".phone__primary", has_text="关注公众号").click()
        expect(page.locator(".sim-facts")).to_contain_text("已关注")
        page.locator(".phone__menu-button", has_text="关于医院").click()
        page.locator(".phone__submenu button", has_text="科室介绍").click()
        frame = page.frame_locator("#browser-frame")
        assert_names_use_the_lines_they_need(frame, "科室介绍 in the simulator")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(".phone").screenshot(path=str(ARTIFACTS / "narrow-simulator.png"))
    finally:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_doctors_sessions_and_departments_keep_their_width_at_200_percent_text(
    browser, demo, live_server, language
):
    """WeChat's largest font on a 320 px phone: a session's day and a department's name once
    shrank to a character or two a line beside the places left or the campus, which drew over
    them. Each now has its row's width, the rest under it."""
    doctor = Doctor.objects.get(institution=demo.institution, name="王建国")
    tomorrow = timezone.localdate() + timedelta(days=1)
    make_session(demo.institution, doctor.departments.get(), doctor, tomorrow, quota_wechat=4)
    # A phone, as WeChat's web view is: Chromium honours -webkit-text-size-adjust only there.
    context = browser.new_context(
        viewport={"width": 320, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/h5/demo/doctors/{doctor.pk}/")
        page.evaluate("document.body.style.webkitTextSizeAdjust = '200%'")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"doctor-200-percent-{language}.png"), full_page=True)
        # One session and one department: a day and a name, each on the lines it needs.
        assert_names_use_the_lines_they_need(page, f"doctor at 200 % text, {language}", least=2)
    finally:
        context.close()
