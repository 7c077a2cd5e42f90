"""Booking's appointment page shows the registration fee: 去支付 and the deadline while its
order waits, the refund's progress after a cancellation (from the Order and Refund rows the
pay-core branch writes; here written by hand)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.billing.models import OrderStatus
from carebridge.booking.actions import cancel_appointment
from carebridge.booking.models import Appointment, Channel, PaymentStatus
from carebridge.booking.tests.helpers import book, make_session

from .helpers import order, refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(hospital, alice, alice_self):
    campus = hospital.campuses.create(name="总院", address="同普路", latitude="31", longitude="121")
    department = hospital.departments.create(campus=campus, name="心内科")
    session = make_session(hospital, department, None, timezone.localdate() + timedelta(days=2))
    return book(alice_self, session, Channel.WECHAT, booked_by=alice)


def page(client, appointment) -> str:
    response = client.get(f"/h5/renai/appointments/{appointment.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_waiting_fee_offers_to_pay_before_its_deadline(alice_client, appointment, alice_self):
    fee = order(alice_self, appointment=appointment, total=1400)
    html = page(alice_client, appointment)
    assert f'href="/h5/renai/orders/{fee.out_trade_no}/pay/"' in html and "去支付" in html
    when = timezone.localtime(fee.expires_at).strftime("%H:%M")
    assert "¥14.00" in html and when in html and "前支付" in html


def test_a_fee_past_its_deadline_is_not_offered(alice_client, appointment, alice_self):
    fee = order(alice_self, appointment=appointment, minutes=-1)
    html = page(alice_client, appointment)
    assert f"{fee.out_trade_no}/pay/" not in html and "已超过支付时间" in html


def test_a_paid_fee_links_its_order(alice_client, appointment, alice_self):
    fee = order(alice_self, appointment=appointment, status=OrderStatus.PAID)
    html = page(alice_client, appointment)
    assert f'href="/h5/renai/orders/{fee.out_trade_no}/"' in html and "已支付" in html
    assert "去支付" not in html


def payment_status(html: str) -> str:
    return html.split('id="payment-status">')[1].split("<")[0]


def test_the_payment_row_says_paid_while_the_worker_has_yet_to_follow_up(
    alice_client, appointment, alice_self
):
    assert payment_status(page(alice_client, appointment)) == "未支付"
    fee = order(alice_self, appointment=appointment)
    assert payment_status(page(alice_client, appointment)) == "未支付"  # waiting to be paid
    # The notification's claim: the order paid, the appointment's follow-up still due.
    fee.status, fee.paid_wxpay, fee.follow_up_due = OrderStatus.PAID, fee.total, True
    fee.save(update_fields=["status", "paid_wxpay", "follow_up_due"])
    appointment.refresh_from_db()
    assert appointment.payment_status == PaymentStatus.UNPAID
    assert payment_status(page(alice_client, appointment)) == "已支付"


def _cancel_paid(appointment, alice_self):
    fee = order(alice_self, appointment=appointment, status=OrderStatus.PAID)
    Appointment.objects.filter(pk=appointment.pk).update(payment_status=PaymentStatus.PAID)
    appointment.refresh_from_db()
    cancel_appointment(appointment, by="patient")
    return fee


def test_after_a_cancellation_the_refund_is_due_then_processing_then_done(
    alice_client, appointment, alice_self
):
    fee = _cancel_paid(appointment, alice_self)
    assert 'data-refund="due"' in page(alice_client, appointment)  # 待退款: none asked yet
    money_back = refund(fee, status="pending")
    html = page(alice_client, appointment)
    assert 'data-refund="pending"' in html and "待退款" in html
    money_back.status = "PROCESSING"
    money_back.save(update_fields=["status"])
    assert "退款处理中" in page(alice_client, appointment)
    money_back.status = "SUCCESS"
    money_back.save(update_fields=["status"])
    html = page(alice_client, appointment)
    assert "已退款" in html and "¥14.00" in html and 'data-refund="due"' not in html


def test_an_appointment_without_a_fee_order_shows_nothing_of_billing(alice_client, appointment):
    html = page(alice_client, appointment)
    assert 'id="fee"' not in html and "去支付" not in html


def test_the_fee_costs_the_page_at_most_two_queries(alice_client, appointment, alice_self):
    page(alice_client, appointment)  # the first visit also records the elder offer
    with CaptureQueriesContext(connection) as without:
        page(alice_client, appointment)
    fee = _cancel_paid(appointment, alice_self)
    refund(fee, status="PROCESSING")
    with CaptureQueriesContext(connection) as with_refund:
        page(alice_client, appointment)
    assert len(with_refund) - len(without) <= 2


def test_the_fee_is_in_english_too(alice_client, appointment, alice_self):
    order(alice_self, appointment=appointment)
    alice_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = page(alice_client, appointment)
    assert "Registration fee" in html and "Pay now" in html
