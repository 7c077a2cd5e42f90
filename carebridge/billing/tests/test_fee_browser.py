"""The registration fee, end to end in a real browser: a patient books a session paid at
booking on the simulated phone, pays in WeChat's pay sheet, WeChat Pay's notification (the
sandbox's, over the wire) marks it paid and the booking confirmation follows; she cancels and
the fee comes back by a WeChat Pay refund, shown on her appointment. The test plays the worker
(outbox rows, the sandbox's deliveries) by calling it, as the booking journey's test does."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from carebridge.billing.models import Order, OrderStatus, Refund, RefundStatus
from carebridge.booking.models import Appointment, ClinicSession, FeePayment, PaymentStatus
from carebridge.booking.tests.helpers import make_session
from carebridge.booking.tests.test_browser import (
    PATIENT,
    Phone,
    add_herself_as_a_patient,
    book_dr_wang,
)
from carebridge.institutions.demo.load import load_demo
from carebridge.institutions.models import Doctor
from carebridge.outbox import worker
from carebridge.patients.tests.factories import resident_id
from carebridge.sandbox import wxapi
from carebridge.tests.browser import TIMEOUT_MS
from carebridge.wechat.actions.menu import sync_menu
from carebridge.wechat.models import TemplateSend
from carebridge.wechat.models.messaging import SendStatus
from carebridge.wechat.tests.outgoing_helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FEE = 1400  # fen: 14.00 yuan


@pytest.fixture
def demo(sandbox, settings):
    """The demo hospital (its merchant enrolled at the sandbox's WeChat Pay) with Dr Wang's
    session tomorrow, its fee paid at booking; refunds settle at once at the sandbox."""
    settings.WECHATPAY_API_BASE = sandbox.url + "/sandbox/pay"
    settings.SANDBOX_PAY_RETRY_SCALE = 0
    loaded = load_demo(sandbox.url)
    sync_menu(loaded.account)
    wang = Doctor.objects.get(institution=loaded.institution, name="王建国")
    tomorrow = timezone.localdate() + timedelta(days=1)
    session = make_session(
        loaded.institution,
        wang.departments.get(),
        wang,
        tomorrow,
        capacity=6,
        quota_wechat=4,
        quota_window=2,
    )
    ClinicSession.objects.filter(pk=session.pk).update(fee=FEE, fee_payment=FeePayment.AT_BOOKING)
    session.refresh_from_db()
    loaded.session = session
    yield loaded
    wxapi.wait_for_reports()


@pytest.fixture
def phone(browser, sandbox):
    opened = Phone(browser, sandbox.url)
    yield opened
    opened.context.close()


def work(until, what: str):
    """Run the worker's passes (outbox rows, then the sweeps: WeChat Pay's deliveries at the
    sandbox, order and refund checks) until ``until()`` holds."""
    wait_until(
        lambda: (worker.run_once(), worker.sweep_once()) and until(),
        timeout=TIMEOUT_MS / 1000,
        what=what,
    )


def test_a_fee_paid_at_booking_is_paid_in_the_sheet_and_refunded_on_cancelling(demo, phone):
    phone.open_simulator()
    phone.new_user("小林")
    phone.follow()
    add_herself_as_a_patient(phone, resident_id(PATIENT["born"], "female", region="320502", seq=31))
    book_dr_wang(phone, demo.session)
    web = phone.web

    # Booked, the place is held while the fee waits: 去支付, and no confirmation yet.
    expect(web.locator("h1")).to_have_text("预约详情")
    expect(web.locator("#fee")).to_contain_text("¥14.00")
    appointment = Appointment.objects.get()
    order = Order.objects.get(appointment=appointment)
    assert (order.status, order.total) == (OrderStatus.PENDING, FEE)
    phone.shot("fee-01-booked")
    web.get_by_role("link", name="去支付").click()

    expect(web.locator("#amount")).to_have_text("¥14.00")
    web.locator("#pay-button").click()
    expect(phone.page.locator("#pay-sheet-amount")).to_have_text("14.00")
    phone.shot("fee-02-sheet")
    phone.page.locator("#pay-sheet-confirm").click()
    expect(web.locator("#pay-result")).to_contain_text("正在确认支付结果")

    # The sandbox's notification reaches the notify_url; only then is the order paid.
    work(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.PAID, "the payment")
    expect(web.locator("#pay-result")).to_contain_text("支付完成")
    phone.shot("fee-03-paid")
    # The appointment is marked paid by the payment's follow-up, on the worker's next pass.
    work(
        lambda: Appointment.objects.get(pk=appointment.pk).payment_status == PaymentStatus.PAID,
        "the payment's follow-up",
    )
    work(
        # Hers: the demo's own sample consultation answers another user on load.
        lambda: TemplateSend.objects.filter(
            openid=appointment.booked_by.openid, status=SendStatus.SENT
        ).exists(),
        "the booking confirmation, after the payment",
    )

    # She cancels: the fee goes back through WeChat Pay, and her appointment says so.
    web.get_by_role("link", name="查看订单").click()
    web.locator(f"a[href$='/appointments/{appointment.pk}/']").click()
    expect(web.locator("h1")).to_have_text("预约详情")
    expect(web.locator("#fee")).to_contain_text("已支付")
    web.locator("summary", has_text="取消预约").click()
    web.get_by_role("button", name="确定取消预约").click()
    work(
        lambda: Refund.objects.filter(order=order, status=RefundStatus.SUCCESS).exists(),
        "the refund, settled by WeChat Pay's refund notification",
    )
    refund = Refund.objects.get(order=order)
    assert refund.amount == FEE
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    appointment.refresh_from_db()
    assert appointment.payment_status == PaymentStatus.REFUNDED
    web.locator("html").evaluate("() => location.reload()")
    expect(web.locator("#fee [data-refund='SUCCESS']")).to_have_text("已退款")
    phone.shot("fee-04-refunded")
    assert phone.errors == []
