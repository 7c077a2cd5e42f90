"""The whole booking journey in a real browser (issue #3): Playwright drives Debian's chromium
through the phone simulator at /sandbox/, against the live server and the WeChat sandbox.

Personas: 小林 follows the demo hospital's account, adds herself as a patient (phone verified
with the code the sandbox delivers to her simulated phone) and books Dr Wang tomorrow morning;
小王, on another phone, opens 小林's appointment link and is refused.

A full-page screenshot of every step goes to test-artifacts/browser/ at the repository's root
(ignored by git). Any script error or console error on a page fails the test.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from carebridge.booking.models import Appointment, BookingPolicy
from carebridge.institutions.demo.load import load_demo
from carebridge.institutions.models import Doctor
from carebridge.outbox import worker
from carebridge.patients.models import Patient
from carebridge.patients.tests.factories import resident_id
from carebridge.sandbox import wxapi
from carebridge.tests.browser import TIMEOUT_MS
from carebridge.wechat.actions.menu import sync_menu
from carebridge.wechat.models import TemplateSend
from carebridge.wechat.models.messaging import SendStatus
from carebridge.wechat.tests.outgoing_helpers import wait_until

from .helpers import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
WECHAT_GREEN = "rgb(7, 193, 96)"  # WeUI's brand colour: a success message must be legible
PATIENT = {"name": "林小雨", "born": date(1992, 5, 17), "phone": "13912345678"}


@pytest.fixture
def demo(sandbox):
    """The demo hospital with its menu pushed to the sandbox, the "booking confirmed" template
    configured, and Dr Wang (心血管内科) holding a session tomorrow morning."""
    loaded = load_demo(sandbox.url)
    sync_menu(loaded.account)
    # The demo binds its booking messages to templates in the sandbox's library.
    assert BookingPolicy.objects.get(institution=loaded.institution).tpl_booking_confirmed
    wang = Doctor.objects.get(institution=loaded.institution, name="王建国")
    cardiology = wang.departments.get()
    tomorrow = timezone.localdate() + timedelta(days=1)
    loaded.session = make_session(
        loaded.institution, cardiology, wang, tomorrow, capacity=6, quota_wechat=4, quota_window=2
    )
    yield loaded
    wxapi.wait_for_reports()  # the template's job report must not outlive the live server


class Phone:
    """One simulated phone: a browser context (its own cookies, as another handset has) on the
    simulator page, with the H5 pages opening in its in-phone browser."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=base_url
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("console", self._console)
        self.web = self.page.frame_locator("#browser-frame")

    def _console(self, message) -> None:
        # Chromium asks every site for /favicon.ico; the project has none (a 404 by design).
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            self.errors.append(f"console: {message.text} at {message.location['url']}")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def open_simulator(self) -> None:
        self.page.goto("/sandbox/?account=demo")
        expect(self.page.locator(".phone__title")).to_contain_text("苏州市枫桥人民医院")

    def new_user(self, nickname: str) -> None:
        self.page.get_by_placeholder("新用户昵称").fill(nickname)
        self.page.get_by_role("button", name="新建").click()
        expect(self.page.locator(".sim-facts")).to_contain_text("未关注")
        expect(self.page.get_by_label("模拟用户")).to_contain_text(nickname)

    def follow(self) -> None:
        self.page.locator(".phone__primary", has_text="关注公众号").click()
        expect(self.page.locator(".sim-facts")).to_contain_text("已关注")
        expect(self.page.locator("#chat")).to_contain_text("感谢关注苏州市枫桥人民医院")

    def tap(self, top: str, item: str) -> None:
        self.page.locator(".phone__menu-button", has_text=top).click()
        self.page.locator(".phone__submenu button", has_text=item).click()
        expect(self.page.locator("#browser")).to_be_visible()

    def close_page(self) -> None:
        self.page.locator("#browser-close").click()
        expect(self.page.locator("#browser")).to_be_hidden()

    def sms_code(self) -> str:
        note = self.page.locator("#chat .msg_system", has_text="验证码是")
        expect(note).to_have_count(1)
        return re.search(r"验证码是(\d{6})", note.inner_text()).group(1)


@pytest.fixture
def phones(browser, sandbox):
    opened = []

    def open_phone() -> Phone:
        phone = Phone(browser, sandbox.url)
        opened.append(phone)
        return phone

    yield open_phone
    for phone in opened:
        phone.context.close()


def add_herself_as_a_patient(phone: Phone, id_number: str) -> None:
    """我的信息 → 就诊人管理 → 添加就诊人, her phone verified with the code texted to it."""
    web = phone.web
    phone.tap("我的信息", "就诊人管理")  # opens "inside WeChat", signed in through sandbox OAuth
    expect(web.locator("h1")).to_have_text("就诊人管理")
    expect(web.locator(".h5-empty")).to_contain_text("还没有就诊人")
    phone.shot("04-patients-empty")

    web.get_by_role("link", name="添加就诊人").click()
    expect(web.locator("h1")).to_have_text("添加就诊人")
    web.get_by_label("姓名", exact=True).fill(PATIENT["name"])
    web.get_by_label("证件类型").select_option("resident_id")
    web.get_by_label("证件号码").fill(id_number)
    web.get_by_label("与本人关系").select_option("self")
    web.get_by_label("手机号", exact=True).fill(PATIENT["phone"])
    web.get_by_role("button", name="获取验证码").click()
    expect(web.locator(".h5-message")).to_contain_text("验证码已发送")
    expect(web.get_by_label("证件号码")).to_have_value(id_number)  # what she typed stays
    web.get_by_label("短信验证码").fill(phone.sms_code())
    phone.shot("05-patient-form-with-code")
    web.get_by_role("button", name="保存").click()

    expect(web.locator(".h5-message")).to_contain_text("已添加就诊人")
    expect(web.locator(".h5-message")).to_have_css("background-color", WECHAT_GREEN)
    card = web.locator(".patients-card")
    expect(card).to_contain_text(PATIENT["name"])
    expect(card).to_contain_text("已验证")
    masked = f"{id_number[:3]}{'*' * 11}{id_number[-4:]}"
    expect(card.locator(".h5-masked").first).to_have_text(masked)
    expect(card).not_to_contain_text(id_number)
    phone.shot("06-patient-added")


def book_dr_wang(phone: Phone, session) -> str:
    """就医服务 → 预约挂号 → department → doctor and date → slot → patient → confirm; returns
    the slot's text as the session page showed it."""
    web = phone.web
    phone.close_page()
    phone.tap("就医服务", "预约挂号")
    expect(web.locator("h1")).to_have_text("预约挂号")
    phone.shot("07-departments")
    web.get_by_role("link", name=re.compile("心血管内科")).click()

    expect(web.locator("h1")).to_have_text("心血管内科")
    row = web.locator(f"a[href$='/booking/session/{session.pk}/']")
    expect(row).to_contain_text(f"{session.date.month}月{session.date.day}日")
    expect(row).to_contain_text("王建国 主任医师")
    expect(row).to_contain_text("余 4")
    phone.shot("08-department")
    row.click()

    expect(web.locator("h1")).to_have_text("选择时段")
    expect(web.locator(".weui-cells__title")).to_contain_text("微信号源剩余 4 个")
    slot = web.locator("a[href*='/slot/']").first
    slot_text = slot.inner_text()
    phone.shot("09-session-slots")
    slot.click()

    expect(web.locator("h1")).to_have_text("确认预约")
    expect(web.get_by_role("radio")).to_have_count(1)
    web.locator(".weui-check__label", has_text=PATIENT["name"]).click()
    expect(web.get_by_role("radio")).to_be_checked()
    phone.shot("10-confirm")
    web.get_by_role("button", name="确认预约").click()
    return slot_text


def test_a_patient_books_from_the_phone_and_another_user_is_refused_her_appointment(demo, phones):
    xiaolin = phones()
    xiaolin.open_simulator()
    expect(xiaolin.page.locator(".phone__empty")).to_contain_text("请在左侧选择或新建一个模拟用户")
    xiaolin.shot("01-simulator")
    xiaolin.new_user("小林")
    openid = xiaolin.page.locator(".sim-facts code").inner_text()
    xiaolin.shot("02-user-created")
    xiaolin.follow()
    expect(xiaolin.page.locator(".phone__menu-button")).to_have_text(
        ["≡ 关于医院", "≡ 就医服务", "≡ 我的信息"]
    )
    xiaolin.shot("03-followed")

    id_number = resident_id(PATIENT["born"], "female", region="320502", seq=31)
    add_herself_as_a_patient(xiaolin, id_number)
    patient = Patient.objects.get(owner__openid=openid)  # the demo holds patients of its own
    assert patient.phone_verified_at is not None

    slot_text = book_dr_wang(xiaolin, demo.session)
    web = xiaolin.web
    expect(web.locator(".h5-message")).to_contain_text("预约成功")
    expect(web.locator("h1")).to_have_text("预约详情")
    appointment = Appointment.objects.get()  # exactly one
    assert (appointment.patient, appointment.session) == (patient, demo.session)
    assert appointment.booked_by.openid == openid
    number = f"{appointment.queue_number} 号"
    assert number in slot_text
    details = web.locator(".weui-cells").nth(1)
    expect(details).to_contain_text(PATIENT["name"])
    expect(details).to_contain_text(number)
    expect(web.locator(".h5-qr svg")).to_be_visible()  # the check-in QR
    appointment_url = web.locator("html").evaluate("() => location.href")
    web.locator(".h5-qr").scroll_into_view_if_needed()
    xiaolin.shot("11-appointment")

    # The "booking confirmed" template message, sent by the outbox worker, reaches her phone.
    wait_until(
        # Hers: the demo's own sample consultation answers another user on load.
        lambda: (
            worker.run_once() * 0
            or TemplateSend.objects.filter(openid=openid, status=SendStatus.SENT)
        ),
        timeout=TIMEOUT_MS / 1000,
        what="the booking confirmation sent to WeChat",
    )
    xiaolin.close_page()
    message = xiaolin.page.locator("#chat .msg__bubble_template")
    expect(message).to_have_count(1)
    expect(message.locator(".msg__template-title")).to_have_text("预约挂号成功通知")
    expect(message).to_contain_text("您已预约成功")
    expect(message).to_contain_text("就诊科室")
    expect(message).to_contain_text(PATIENT["name"])
    expect(message).to_contain_text("心血管内科 王建国")
    xiaolin.shot("12-template-message")
    message.get_by_role("link", name=re.compile("详情")).click()  # opens her appointment
    expect(web.locator("h1")).to_have_text("预约详情")
    expect(web.locator(".h5-qr svg")).to_be_visible()

    # The language switch at the foot of every H5 page.
    web.get_by_role("button", name="English").click()
    expect(web.locator("html")).to_have_attribute("lang", "en")
    expect(web.locator("h1")).to_have_text("Appointment")
    body = web.locator("body")
    queue_row = web.locator(".weui-cell", has_text="Queue number")
    expect(queue_row).to_contain_text(f"No. {appointment.queue_number}")
    expect(body).to_contain_text("Cardiology")
    expect(body).to_contain_text("Wang Jianguo Chief Physician")
    xiaolin.shot("13-appointment-in-english")
    assert xiaolin.errors == []

    # 小王, on another phone, signs in to the same account and opens 小林's appointment link.
    xiaowang = phones()
    xiaowang.open_simulator()
    xiaowang.new_user("小王")
    xiaowang.follow()
    xiaowang.tap("我的信息", "就诊人管理")
    expect(xiaowang.web.locator("h1")).to_have_text("就诊人管理")
    with xiaowang.page.expect_response(appointment_url) as refused:
        xiaowang.page.locator("#browser-frame").evaluate(
            "(frame, url) => { frame.src = url; }", appointment_url
        )
    assert refused.value.status == 404
    expect(xiaowang.web.locator("body")).to_contain_text("页面不存在")
    expect(xiaowang.web.locator("body")).not_to_contain_text(PATIENT["name"])
    xiaowang.shot("14-other-user-refused")
    assert Appointment.objects.count() == 1
    assert [e for e in xiaowang.errors if appointment_url not in e] == []  # but the 404 itself
