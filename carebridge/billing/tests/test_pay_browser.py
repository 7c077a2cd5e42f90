"""Paying on the simulated phone in a real browser: 个人中心 → 去支付 → the pay page → WeChat's
pay sheet (cancel, then 确认支付) → the page waits for the server's word and shows it. Playwright
drives Debian's chromium through the phone simulator, against the live server and the sandbox's
WeChat Pay, whose signed notification (delivered when the test plays the worker) marks the
order paid."""

import pytest
from playwright.sync_api import expect

from carebridge.billing.actions.orders import open_order
from carebridge.billing.models import Order, OrderKind, OrderStatus
from carebridge.booking.tests.test_browser import Phone
from carebridge.institutions.demo.load import load_demo
from carebridge.outbox import worker
from carebridge.patients.tests import factories
from carebridge.sandbox.models import SandboxPayOrder, SandboxUser
from carebridge.wechat.actions.menu import sync_menu
from carebridge.wechat.models import Follower
from carebridge.wechat.tests.outgoing_helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(sandbox, settings):
    """The demo hospital with its menu pushed (the demo enrols its merchant at the sandbox's
    WeChat Pay)."""
    settings.WECHATPAY_API_BASE = sandbox.url + "/sandbox/pay"
    loaded = load_demo(sandbox.url)
    sync_menu(loaded.account)
    return loaded


@pytest.fixture
def phone(browser, sandbox):
    opened = Phone(browser, sandbox.url)
    yield opened
    opened.context.close()


def fee_for(demo, nickname: str):
    """小林's registration fee, opened as pay-core opens one at booking."""
    openid = SandboxUser.objects.get(nickname=nickname).openid
    follower = Follower.objects.get(account=demo.account, openid=openid)
    patient = factories.patient(follower, name="林小雨", is_default=True)
    return open_order(
        institution=demo.institution,
        patient=patient,
        follower=follower,
        kind=OrderKind.REGISTRATION,
        description="心血管内科 王建国 挂号费",
        total=1400,
    )


def test_a_patient_pays_her_fee_in_the_phones_pay_sheet(demo, phone):
    phone.open_simulator()
    phone.new_user("小林")
    phone.follow()
    fee = fee_for(demo, "小林")
    web = phone.web

    phone.tap("我的信息", "个人中心")
    expect(web.locator("h1")).to_have_text("个人中心")
    expect(web.locator("#awaiting")).to_contain_text("心血管内科 王建国 挂号费")
    web.locator("#awaiting").get_by_role("link", name="去支付").click()
    expect(web.locator("#amount")).to_have_text("¥14.00")
    phone.shot("pay-01-pay-page")

    # First she changes her mind: the page says so and offers to pay again.
    web.locator("#pay-button").click()
    sheet = phone.page.locator("#pay-sheet")
    expect(sheet).to_be_visible()
    expect(phone.page.locator("#pay-sheet-amount")).to_have_text("14.00")
    expect(phone.page.locator("#pay-sheet-merchant")).to_have_text("苏州市枫桥人民医院")
    phone.shot("pay-02-sheet")
    phone.page.locator("#pay-sheet-cancel").click()
    expect(sheet).to_be_hidden()
    expect(web.locator("#pay-result")).to_contain_text("已取消支付")
    expect(web.locator("#pay-button")).to_have_text("重新支付")

    # Then she pays: the page does not claim success until the server says paid.
    web.locator("#pay-button").click()
    phone.page.locator("#pay-sheet-confirm").click()
    expect(sheet).to_be_hidden()
    expect(web.locator("#pay-result")).to_contain_text("正在确认支付结果")
    placed = SandboxPayOrder.objects.get(out_trade_no=fee.out_trade_no)
    wait_until(lambda: SandboxPayOrder.objects.get(pk=placed.pk).trade_state == "SUCCESS")
    fee.refresh_from_db()
    assert fee.status == OrderStatus.PENDING  # the cashier's "ok" changed nothing here

    # WeChat Pay's word: the sandbox's notification, delivered by the worker's sweep.
    wait_until(lambda: worker.sweep_once() * 0 or Order.objects.get(pk=fee.pk).paid_at)
    expect(web.locator("#pay-result")).to_contain_text("支付完成")
    expect(web.get_by_role("link", name="查看订单")).to_be_visible()
    expect(web.locator("#pay-button")).to_be_hidden()  # nothing left to pay
    phone.shot("pay-03-paid")
    assert phone.errors == []
