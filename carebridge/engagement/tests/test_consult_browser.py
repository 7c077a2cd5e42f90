"""A question asked from the simulated phone reaches the department's inbox, a member of staff
answers it in the back office, and the answer arrives on the phone as a customer-service
message (inside the 48-hour window the question opened), its link opening the thread."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from carebridge.booking.tests.test_browser import Phone
from carebridge.engagement.models import Consultation, ConsultResponder
from carebridge.institutions.demo.load import load_demo
from carebridge.institutions.models import Department, StaffMember
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.sandbox import wxapi
from carebridge.tests.browser import TIMEOUT_MS
from carebridge.wechat.actions.menu import sync_menu
from carebridge.wechat.tests.outgoing_helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "最近爬楼梯就心慌胸闷，需要做什么检查"
ANSWER = "您好，建议预约心血管内科门诊，先做心电图和心脏彩超。"
PASSWORD = "pw-dr-zhou-2026-long"


@pytest.fixture
def demo(sandbox):
    loaded = load_demo(sandbox.url)
    sync_menu(loaded.account)
    yield loaded
    wxapi.wait_for_reports()


@pytest.fixture
def dr_zhou(demo):
    """Answers the cardiology inbox of the demo hospital."""
    user = User.objects.create_user("dr_zhou", "zhou@example.invalid", PASSWORD, is_staff=True)
    member = StaffMember.objects.create(user=user, institution=demo.institution)
    cardiology = Department.objects.get(institution=demo.institution, name="心血管内科")
    ConsultResponder.objects.create(staff=member, department=cardiology)
    from django.contrib.auth.models import Permission

    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="engagement",
            codename__in=["view_consultation", "change_consultation"],
        )
    )
    return user


def test_a_question_from_the_phone_gets_the_staff_reply(browser, sandbox, demo, dr_zhou):
    phone = Phone(browser, sandbox.url)
    staff = browser.new_context(locale="zh-CN", base_url=sandbox.url)
    staff.set_default_timeout(TIMEOUT_MS)
    try:
        phone.open_simulator()
        phone.new_user("小周")
        phone.follow()
        phone.page.locator("#toggle").click()  # from the menu to the keyboard
        phone.page.get_by_label("消息").fill(QUESTION)
        phone.page.locator(".phone__send").click()
        chat = phone.page.locator("#chat")
        expect(chat).to_contain_text("您的咨询已收到，已转心血管内科")

        consultation = Consultation.objects.exclude(follower__openid__startswith="o_demo").get()
        assert consultation.department.name == "心血管内科"

        desk = staff.new_page()
        desk.goto("/admin/login/?next=/admin/engagement/consultation/")
        desk.get_by_label(re.compile("用户名")).fill("dr_zhou")
        desk.get_by_label(re.compile("密码")).fill(PASSWORD)
        desk.locator("input[type=submit]").click()
        desk.get_by_role("link", name=str(consultation.pk), exact=True).click()
        expect(desk.locator("body")).to_contain_text(QUESTION)
        desk.get_by_label("回复患者").fill(ANSWER)
        desk.locator("input[name=_save]").click()
        expect(desk.locator(".messagelist")).to_be_visible()

        wait_until(
            lambda: (
                worker.run_once() * 0
                or OutboxMessage.objects.filter(topic="wechat.custom", status=OutboxStatus.SENT)
            ),
            timeout=TIMEOUT_MS / 1000,
            what="the reply sent to WeChat",
        )
        reply = chat.locator(".msg__bubble", has_text=ANSWER)
        expect(reply).to_have_count(1)
        reply.get_by_role("link", name="查看详情").click()
        expect(phone.web.locator("h1")).to_have_text("咨询详情")
        expect(phone.web.locator("#thread")).to_contain_text(ANSWER)
        assert not phone.errors, phone.errors
    finally:
        staff.close()
        phone.context.close()
