"""The registration fee's follow-up runs in the worker: the notification marks the order paid
and due for its follow-up in one UPDATE; the worker's sweep marks the appointment paid and
queues its confirmation, once, however often it runs or fails, and nothing closes or cancels
the appointment while it waits."""

import logging
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.billing.actions.checks import check_due_orders
from carebridge.billing.actions.orders import follow_up_payments, record_payment
from carebridge.billing.backoff import FOLLOW_UP_ALERT_AFTER
from carebridge.billing.kinds import ON_PAID
from carebridge.billing.models import Order, OrderKind, OrderStatus, PayNotification, Refund
from carebridge.billing.registration import fee_paid
from carebridge.booking.actions import cancel_appointment
from carebridge.booking.models import Appointment, AppointmentStatus, PaymentStatus
from carebridge.booking.notify import CONFIRMATION_TOPIC
from carebridge.booking.tests.helpers import WECHAT, before_visit, book
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


def due(order) -> bool:
    return Order.objects.get(pk=order.pk).follow_up_due


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
    # The order's claim (its follow-up due with it) and the notification's record: nothing else.
    assert [w[1] for w in written if w] == ["billing_order", "billing_paynotification"]
    assert not any(q["sql"].startswith("SELECT") and "billing_order" in q["sql"] for q in queries)
    order = Order.objects.get(pk=fee.pk)
    assert (order.status, order.paid_wxpay, order.follow_up_due) == (OrderStatus.PAID, 1400, True)
    assert order.transaction_id and order.payer_openid and order.next_query_at is None
    assert PayNotification.objects.get().outcome == "paid"
    assert payment_status(appointment) == PaymentStatus.UNPAID
    assert rows(CONFIRMATION_TOPIC) == 0
    assert follow_up() == 1
    assert payment_status(appointment) == PaymentStatus.PAID
    assert rows(CONFIRMATION_TOPIC) == 1
    assert not due(fee)
    assert follow_up() == 0


def test_a_query_answer_pays_a_fee_as_the_notification_does(fee, appointment):
    """The query's way (no merchant at hand: the order is read first) writes what the
    notification's one UPDATE writes."""
    assert record_payment(payment(fee))
    order = Order.objects.get(pk=fee.pk)
    assert (order.status, order.paid_wxpay, order.follow_up_due) == (OrderStatus.PAID, 1400, True)
    assert payment_status(appointment) == PaymentStatus.UNPAID
    assert follow_up() == 1
    assert payment_status(appointment) == PaymentStatus.PAID


def test_the_appointment_page_says_paid_and_offers_no_payment_while_the_follow_up_waits(
    alice_client, fee, appointment
):
    record_payment(payment(fee))
    html = alice_client.get(f"/h5/renai/appointments/{appointment.pk}/").content.decode()
    assert "已支付" in html and "去支付" not in html
    assert alice_client.get(f"/h5/renai/orders/{fee.out_trade_no}/pay/").status_code != 200


def test_the_fees_on_paid_run_again_changes_nothing(fee, appointment):
    record_payment(payment(fee))
    assert follow_up() == 1
    fee_paid(Order.objects.get(pk=fee.pk))  # as if run a second time
    assert payment_status(appointment) == PaymentStatus.PAID
    assert rows(CONFIRMATION_TOPIC) == 1
    assert not Refund.objects.exists()


def test_a_follow_up_that_fails_is_undone_and_tried_again(fee, appointment, monkeypatch):
    record_payment(payment(fee))

    def crash(order):
        Appointment.objects.filter(pk=order.appointment_id).update(payment_status="paid")
        raise RuntimeError("the worker's database went away")

    monkeypatch.setitem(ON_PAID, OrderKind.REGISTRATION, crash)
    assert follow_up() == 0
    assert due(fee) and payment_status(appointment) == PaymentStatus.UNPAID  # rolled back
    monkeypatch.setitem(ON_PAID, OrderKind.REGISTRATION, fee_paid)
    assert follow_up() == 0  # waits out its pause first
    assert follow_up(now=timezone.now() + timedelta(seconds=3)) == 1
    assert payment_status(appointment) == PaymentStatus.PAID
    assert rows(CONFIRMATION_TOPIC) == 1


def test_a_follow_up_that_keeps_failing_backs_off_and_alerts_staff(
    fee, appointment, monkeypatch, caplog
):
    record_payment(payment(fee))

    def crash(order):
        raise RuntimeError("the HIS's table is locked")

    monkeypatch.setitem(ON_PAID, OrderKind.REGISTRATION, crash)
    now, pauses = timezone.now(), []
    with caplog.at_level(logging.WARNING, logger="carebridge.billing"):
        for _try in range(FOLLOW_UP_ALERT_AFTER):
            assert follow_up(now=now) == 0
            order = Order.objects.get(pk=fee.pk)
            pauses.append(order.follow_up_after - now)
            assert follow_up(now=order.follow_up_after - timedelta(seconds=1)) == 0  # not yet
            now = order.follow_up_after
    assert pauses[:4] == [timedelta(seconds=s) for s in (2, 4, 8, 16)]
    assert max(pauses) == timedelta(minutes=10)
    assert order.follow_up_failures == FOLLOW_UP_ALERT_AFTER and order.follow_up_due
    alerts = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(alerts) == 1 and "staff alert" in alerts[0].getMessage()
    monkeypatch.setitem(ON_PAID, OrderKind.REGISTRATION, fee_paid)
    assert follow_up(now=now) == 1  # mended: it goes through on its next try
    assert payment_status(appointment) == PaymentStatus.PAID


def test_a_replayed_payment_is_not_followed_up_twice(fee):
    assert record_payment(payment(fee))
    assert follow_up() == 1
    assert record_payment(payment(fee)) is None
    assert not due(fee)
    assert follow_up() == 0


def test_a_paid_fees_retried_notification_is_answered_from_its_record(client, merchant, fee):
    """WeChat Pay's retry (the same notification id): its claim finds nothing, and the record of
    the first delivery answers it, with no read of the order and nothing written."""
    from .helpers import payment_notification

    retried = payment_notification(paid(fee))
    assert post(client, merchant.mchid, *retried).status_code == 204
    with CaptureQueriesContext(connection) as queries:
        response = post(client, merchant.mchid, *retried)
    assert response.status_code == 204
    statements = [q["sql"] for q in queries if q["sql"].startswith(("SELECT", "UPDATE", "INSERT"))]
    assert [sql.split()[0] for sql in statements] == ["SELECT", "UPDATE", "SELECT"]
    assert "billing_merchant" in statements[0] and "billing_paynotification" in statements[2]
    assert PayNotification.objects.get().outcome == "paid"
    assert follow_up() == 1 and follow_up() == 0


def test_another_notification_of_a_paid_fee_is_told_apart(client, merchant, fee):
    """A second notification (another id) of the paid payment applies nothing and is recorded
    "already paid"; one of another amount is still refused, saying why, every time."""
    from .helpers import payment_notification

    sandbox_order = paid(fee)
    assert post(client, merchant.mchid, *payment_notification(sandbox_order)).status_code == 204
    assert post(client, merchant.mchid, *payment_notification(sandbox_order)).status_code == 204
    amount = payment_notification(sandbox_order, amount={"total": 1399, "currency": "CNY"})
    for _ in range(2):  # its retry is refused too, from its record
        response = post(client, merchant.mchid, *amount)
        assert response.status_code == 409 and "amount 1399" in response.json()["message"]
    outcomes = sorted(PayNotification.objects.values_list("outcome", flat=True))
    assert outcomes[:2] == ["already paid", "paid"] and outcomes[2].startswith("refused: amount")
    assert len(outcomes) == 3
    assert follow_up() == 1 and follow_up() == 0


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
    fee_paid(Order.objects.get(pk=fee.pk))  # as if run a second time
    assert Refund.objects.count() == 1
    assert rows(CONFIRMATION_TOPIC) == 0


def test_a_deposit_is_applied_at_once_not_followed_up(order):
    assert record_payment(payment(order))
    assert not due(order)
    assert follow_up_payments(limit=10) == 0


def test_a_refused_fee_notification_leaves_nothing_to_follow_up(client, merchant, fee):
    sandbox_order = paid(fee, total=1)
    from carebridge.sandbox.wxpay.resources import transaction_data

    headers, body = signed(merchant.mchid, "TRANSACTION.SUCCESS", transaction_data(sandbox_order))
    response = post(client, merchant.mchid, headers, body)
    assert response.status_code == 409 and "amount 1" in response.json()["message"]
    assert Order.objects.get(pk=fee.pk).status == OrderStatus.PENDING and not due(fee)


def test_a_fee_notification_with_another_app_id_is_refused(client, merchant, fee):
    from carebridge.sandbox.wxpay.resources import transaction_data

    data = {**transaction_data(paid(fee)), "appid": "wx_someone_else01"}
    headers, body = signed(merchant.mchid, "TRANSACTION.SUCCESS", data)
    response = post(client, merchant.mchid, headers, body)
    assert response.status_code == 409 and "wx_someone_else01" in response.json()["message"]
    assert Order.objects.get(pk=fee.pk).status == OrderStatus.PENDING and not due(fee)


@pytest.mark.django_db(transaction=True)
def test_one_fee_notification_delivered_to_four_processes_at_once_is_applied_once(
    merchant, fee, appointment
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from carebridge.sandbox.wxpay.notify import build_notification

    from .helpers import payment_notification

    sandbox_order = paid(fee)
    deliveries = [build_notification(sandbox_order)] * 3 + [payment_notification(sandbox_order)]
    barrier, statuses = threading.Barrier(len(deliveries)), []

    def deliver(headers, body):
        barrier.wait()
        try:
            statuses.append(post(Client(), merchant.mchid, headers, body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=d) for d in deliveries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [204] * 4
    outcomes = sorted(PayNotification.objects.values_list("outcome", flat=True))
    assert outcomes == ["already paid", "paid"]
    assert follow_up() == 1 and follow_up() == 0
    assert rows(CONFIRMATION_TOPIC) == 1
