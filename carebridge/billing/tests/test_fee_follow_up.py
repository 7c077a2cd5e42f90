"""The registration fee's follow-up runs in the worker: the notification marks the order paid
and queues one outbox row with it; the worker's pass marks the appointment paid and queues its
confirmation, once, however often it runs, and nothing closes or cancels the appointment while
it waits."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.billing.actions.checks import check_due_orders
from carebridge.billing.actions.orders import follow_up_payment, record_payment
from carebridge.billing.kinds import FOLLOW_UP_TOPIC
from carebridge.billing.models import Order, OrderStatus, PayNotification, Refund
from carebridge.booking.actions import cancel_appointment
from carebridge.booking.models import Appointment, AppointmentStatus, PaymentStatus
from carebridge.booking.notify import CONFIRMATION_TOPIC
from carebridge.booking.tests.helpers import WECHAT, before_visit, book
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage

from .helpers import follow_up, paid, post, signed
from .test_record_payment import payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(fee_session, alice, alice_self):
    return book(alice_self, fee_session, WECHAT, booked_by=alice, now=before_visit(fee_session))


@pytest.fixture
def fee(appointment):
    return Order.objects.get(appointment=appointment)


def rows(topic) -> int:
    return OutboxMessage.objects.filter(topic=topic).count()


def payment_status(appointment) -> str:
    return Appointment.objects.get(pk=appointment.pk).payment_status


def test_the_notification_pays_the_order_and_leaves_the_appointment_to_the_worker(
    client, merchant, fee, appointment
):
    from carebridge.sandbox.wxpay.notify import build_notification

    notification = build_notification(paid(fee))
    with CaptureQueriesContext(connection) as queries:
        response = post(client, merchant.mchid, *notification)
    assert response.status_code == 204
    write = re.compile(r'(?:UPDATE|INSERT (?:OR IGNORE )?INTO) "(\w+)"')
    written = [write.match(q["sql"]) for q in queries]
    # The order's claim, its follow-up's row and the notification's record: nothing of booking's.
    assert [w[1] for w in written if w] == [
        "billing_order",
        "outbox_outboxmessage",
        "billing_paynotification",
    ]
    assert Order.objects.get(pk=fee.pk).status == OrderStatus.PAID
    assert PayNotification.objects.get().outcome == "paid"
    assert payment_status(appointment) == PaymentStatus.UNPAID
    assert OutboxMessage.objects.get(topic=FOLLOW_UP_TOPIC).payload == {"order": fee.pk}
    assert rows(CONFIRMATION_TOPIC) == 0
    assert follow_up() == 1
    assert payment_status(appointment) == PaymentStatus.PAID
    assert rows(CONFIRMATION_TOPIC) == 1
    assert OutboxMessage.objects.get(topic=FOLLOW_UP_TOPIC).status == "sent"


def test_the_appointment_page_says_paid_and_offers_no_payment_while_the_follow_up_waits(
    alice_client, fee, appointment
):
    record_payment(payment(fee))
    html = alice_client.get(f"/h5/renai/appointments/{appointment.pk}/").content.decode()
    assert "已支付" in html and "去支付" not in html
    assert alice_client.get(f"/h5/renai/orders/{fee.out_trade_no}/pay/").status_code != 200


def test_a_follow_up_run_again_changes_nothing(fee, appointment):
    """The worker died after the follow-up's commit, before recording its row as sent."""
    record_payment(payment(fee))
    assert follow_up_payment(fee.pk) == "followed up"
    assert follow_up_payment(fee.pk) == "followed up"
    assert payment_status(appointment) == PaymentStatus.PAID
    assert rows(CONFIRMATION_TOPIC) == 1
    assert not Refund.objects.exists()


def test_a_worker_killed_holding_the_follow_up_leaves_it_to_the_next(fee, appointment, clock):
    record_payment(payment(fee))
    row = OutboxMessage.objects.get(topic=FOLLOW_UP_TOPIC)
    assert worker.claim(row, "killed")  # and the worker dies here
    assert follow_up() == 0  # its claim holds for the lease
    clock.advance(minutes=2)
    assert follow_up() == 1
    worker.process(OutboxMessage.objects.get(pk=row.pk))  # the dead worker's run, replayed
    assert payment_status(appointment) == PaymentStatus.PAID
    assert rows(CONFIRMATION_TOPIC) == 1


def test_a_replayed_payment_queues_no_second_follow_up(fee):
    record_payment(payment(fee))
    assert record_payment(payment(fee)) is None
    assert rows(FOLLOW_UP_TOPIC) == 1


def test_the_deadline_sweep_leaves_a_paid_fee_alone_while_its_follow_up_waits(
    fee, appointment, clock
):
    record_payment(payment(fee))
    clock.advance(minutes=20)  # past the 15-minute deadline, the worker not yet through
    assert check_due_orders(limit=10) == 0
    assert Order.objects.get(pk=fee.pk).status == OrderStatus.PAID
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.BOOKED
    assert follow_up() == 1
    assert payment_status(appointment) == PaymentStatus.PAID


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_while_the_follow_up_waits_is_refunded_once(fee_session, fee, appointment):
    record_payment(payment(fee))
    cancel_appointment(Appointment.objects.get(pk=appointment.pk), now=before_visit(fee_session))
    assert not Refund.objects.exists()  # not paid yet as far as booking knows
    assert follow_up() == 1
    assert payment_status(appointment) == PaymentStatus.REFUND_DUE
    [refund] = Refund.objects.filter(order=fee)
    assert refund.amount == 1400
    assert follow_up_payment(fee.pk) == "followed up"  # run again
    assert Refund.objects.count() == 1
    assert rows(CONFIRMATION_TOPIC) == 0


def test_a_follow_up_of_an_order_gone_or_not_followed_up_does_nothing(order):
    assert follow_up_payment(order.pk + 1000) == "nothing to follow up"
    assert follow_up_payment(order.pk) == "nothing to follow up"  # a deposit: applied at once


def test_a_refused_fee_notification_queues_no_follow_up(client, merchant, fee):
    sandbox_order = paid(fee, total=1)
    from carebridge.sandbox.wxpay.resources import transaction_data

    headers, body = signed(merchant.mchid, "TRANSACTION.SUCCESS", transaction_data(sandbox_order))
    assert post(client, merchant.mchid, headers, body).status_code == 409
    assert rows(FOLLOW_UP_TOPIC) == 0
    assert Order.objects.get(pk=fee.pk).status == OrderStatus.PENDING
