"""The registration fee paid at booking: an order opened with the booking, the confirmation
after the payment, the place given back when the deadline passes unpaid, and the fee refunded
in full when the appointment is cancelled after paying (or was, before the payment came)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.billing.actions.checks import check_due_orders, check_due_refunds
from carebridge.billing.actions.notifications import apply_notification
from carebridge.billing.actions.orders import mark_closed, record_payment
from carebridge.billing.actions.refunds import SUBMIT_TOPIC, RefundResult, record_refund_result
from carebridge.billing.models import Order, OrderKind, OrderStatus, Refund, RefundStatus
from carebridge.booking.actions import cancel_appointment, generate_sessions
from carebridge.booking.models import (
    Appointment,
    AppointmentStatus,
    BookingPolicy,
    CancelledBy,
    FeePayment,
    PaymentStatus,
    ScheduleTemplate,
    SessionQuota,
)
from carebridge.booking.notify import CONFIRMATION_TOPIC
from carebridge.booking.tests.helpers import (
    WECHAT,
    before_visit,
    book,
    make_session,
    write_confirmations,
)
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.models import TemplateSend

from .helpers import follow_up, refund_resource
from .test_record_payment import payment

pytestmark = pytest.mark.django_db


def booked(session, patient, follower):
    return book(patient, session, WECHAT, booked_by=follower, now=before_visit(session))


def fee_order(appointment) -> Order:
    return Order.objects.get(appointment=appointment)


def places(session) -> int:
    return SessionQuota.objects.get(session=session, channel=WECHAT).booked


def sent(template_id):
    return list(TemplateSend.objects.filter(template_id=template_id))


def test_booking_a_pay_at_booking_session_opens_its_fee_order(fee_session, alice, alice_self):
    appointment = booked(fee_session, alice_self, alice)
    order = fee_order(appointment)
    assert (order.kind, order.total, order.status) == (OrderKind.REGISTRATION, 1400, "pending")
    assert (order.patient, order.follower) == (alice_self, alice)
    assert order.expires_at - order.next_query_at == timedelta(minutes=10)  # 15 min to pay
    assert order.description.startswith("挂号费 ")
    # "预约成功" waits for the payment
    assert not OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC).exists()
    assert appointment.payment_status == PaymentStatus.UNPAID


def test_the_institution_sets_how_long_a_fee_may_wait(fee_session, alice, alice_self):
    BookingPolicy.objects.update_or_create(
        institution=fee_session.institution, defaults={"fee_pay_minutes": 30}
    )
    order = fee_order(booked(fee_session, alice_self, alice))
    assert order.expires_at - order.next_query_at == timedelta(minutes=25)  # 30 min to pay


@pytest.mark.parametrize("minutes", [4, 61])
def test_a_fee_wait_outside_5_to_60_minutes_is_refused(hospital, minutes):
    policy = BookingPolicy(institution=hospital, fee_pay_minutes=minutes)
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert "fee_pay_minutes" in refused.value.message_dict


def test_paying_at_booking_costs_the_booking_one_insert(
    fee_session, merchant, cardiology, dr_wang, tomorrow, alice, alice_self, alice_mother
):
    at_visit = make_session(merchant.institution, cardiology, dr_wang, tomorrow, period="afternoon")
    with CaptureQueriesContext(connection) as visit:
        booked(at_visit, alice_mother, alice)
    with CaptureQueriesContext(connection) as booking:
        booked(fee_session, alice_self, alice)

    def writes(queries):
        return [q["sql"].split()[2] for q in queries if q["sql"].startswith("INSERT")]

    # The order's INSERT instead of the confirmation's outbox row: no statement more.
    assert len(booking) == len(visit)
    assert writes(visit) == ['"booking_appointment"', '"outbox_outboxmessage"']
    assert writes(booking) == ['"booking_appointment"', '"billing_order"']


def test_a_window_booking_of_a_pay_at_booking_session_pays_at_the_window(fee_session, alice_self):
    appointment = book(alice_self, fee_session, "window", now=before_visit(fee_session))
    assert not Order.objects.filter(appointment=appointment).exists()


def test_the_payment_marks_the_appointment_paid_and_then_confirms_it_once(
    fee_session, alice, alice_self
):
    appointment = booked(fee_session, alice_self, alice)
    order = fee_order(appointment)
    record_payment(payment(order))
    record_payment(payment(order))  # replayed
    assert follow_up() == 1  # the worker's pass: one follow-up for the two
    assert follow_up() == 0
    appointment.refresh_from_db()
    assert appointment.payment_status == PaymentStatus.PAID
    assert OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC).count() == 1
    assert write_confirmations() == 1
    [message] = sent("TPL_BOOKED")
    assert message.openid == alice.openid


def test_a_worker_killed_after_paid_still_sends_the_confirmation_once(
    fee_session, alice, alice_self, clock
):
    """The confirmation's outbox row commits with the payment: a worker that dies holding it
    leaves it to the next one after its lease, and the message is written once."""
    from carebridge.outbox import worker

    appointment = booked(fee_session, alice_self, alice)
    record_payment(payment(fee_order(appointment)))
    follow_up()
    row = OutboxMessage.objects.get(topic=CONFIRMATION_TOPIC)
    assert worker.claim(row, "killed")  # and the worker dies here
    assert worker.run_once("next") == 0  # the claim holds for its lease
    clock.advance(minutes=2)
    assert worker.run_once("next") >= 1
    worker.process(OutboxMessage.objects.get(pk=row.pk))  # the dead worker's run, replayed
    assert len(sent("TPL_BOOKED")) == 1
    assert Appointment.objects.get(pk=appointment.pk).confirmation_sent_at is not None


def test_unpaid_at_the_deadline_the_place_goes_back_and_the_patient_is_told(
    fee_session, alice, alice_self
):
    appointment = booked(fee_session, alice_self, alice)
    assert places(fee_session) == 1
    assert mark_closed(fee_order(appointment))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_by == CancelledBy.UNPAID
    assert appointment.cancel_reason == "未在支付期限内缴纳挂号费"
    assert places(fee_session) == 0
    [message] = sent("TPL_CANCELLED")
    assert "未在支付期限内缴纳挂号费" in message.data["remark"]["value"]
    assert sent("TPL_BOOKED") == []


def test_cancelling_before_paying_withdraws_the_order(fee_session, alice, alice_self):
    appointment = booked(fee_session, alice_self, alice)
    cancel_appointment(appointment, now=before_visit(fee_session))
    order = fee_order(appointment)
    assert order.status == OrderStatus.PENDING and not order.is_payable
    assert mark_closed(order)  # the sweep's close: the appointment is cancelled already
    assert Appointment.objects.get(pk=appointment.pk).cancelled_by == CancelledBy.PATIENT
    assert len(sent("TPL_CANCELLED")) == 1


def test_a_payment_after_the_cancellation_is_refunded_in_full(fee_session, alice, alice_self):
    appointment = booked(fee_session, alice_self, alice)
    order = fee_order(appointment)
    assert mark_closed(order)  # unpaid at the deadline: cancelled
    record_payment(payment(order))  # but WeChat Pay took the money just before the close
    follow_up()
    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.status, refund.requested_by) == (1400, "pending", None)
    assert OutboxMessage.objects.filter(topic=SUBMIT_TOPIC).count() == 1
    assert Appointment.objects.get(pk=appointment.pk).payment_status == PaymentStatus.REFUND_DUE
    assert not OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC).exists()
    record_refund_result(RefundResult.from_wxpay(refund_resource(refund)))
    assert Appointment.objects.get(pk=appointment.pk).payment_status == PaymentStatus.REFUNDED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED


@pytest.mark.django_db(transaction=True)
def test_cancelling_after_paying_refunds_the_fee_then_marks_it_refunded(
    fee_session, alice, alice_self
):
    appointment = booked(fee_session, alice_self, alice)
    order = fee_order(appointment)
    record_payment(payment(order))
    follow_up()
    appointment = cancel_appointment(
        Appointment.objects.get(pk=appointment.pk), now=before_visit(fee_session)
    )
    assert appointment.payment_status == PaymentStatus.REFUND_DUE
    [refund] = Refund.objects.filter(order=order)  # after the commit, from booking's signal
    assert refund.amount == 1400 and refund.reason == "取消预约,挂号费全额退还"
    record_refund_result(RefundResult.from_wxpay(refund_resource(refund)))
    assert Appointment.objects.get(pk=appointment.pk).payment_status == PaymentStatus.REFUNDED
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCESS


@pytest.mark.django_db(transaction=True)
def test_the_refund_signal_twice_refunds_once(fee_session, alice, alice_self):
    from carebridge.booking.signals import refund_requested

    appointment = booked(fee_session, alice_self, alice)
    record_payment(payment(fee_order(appointment)))
    follow_up()
    cancel_appointment(Appointment.objects.get(pk=appointment.pk), now=before_visit(fee_session))
    refund_requested.send(sender=Appointment, appointment_id=appointment.pk)
    assert Refund.objects.count() == 1


def test_the_template_choice_is_copied_to_the_sessions(merchant, cardiology, dr_wang, tomorrow):
    template = ScheduleTemplate.objects.create(
        institution=merchant.institution,
        department=cardiology,
        doctor=dr_wang,
        weekday=tomorrow.weekday(),
        period="morning",
        start_time="08:00",
        end_time="11:00",
        fee=1400,
        fee_payment=FeePayment.AT_BOOKING,
        weeks_ahead=1,
        capacity=2,
        quota_wechat=2,
    )
    [session] = generate_sessions(ScheduleTemplate.objects.filter(pk=template.pk), today=tomorrow)
    assert session.fee_payment == FeePayment.AT_BOOKING and session.fee_paid_at_booking


def test_at_visit_is_the_default(merchant, cardiology, dr_wang, tomorrow, alice, alice_self):
    session = make_session(merchant.institution, cardiology, dr_wang, tomorrow)
    assert session.fee_payment == FeePayment.AT_VISIT
    booked(session, alice_self, alice)
    assert not Order.objects.exists()


@pytest.mark.usefixtures("pay_sandbox")
@pytest.mark.django_db(transaction=True)
def test_the_sweep_closes_an_unpaid_fee_order_and_frees_the_place(
    fee_session, alice, alice_self, clock
):
    appointment = booked(fee_session, alice_self, alice)
    clock.advance(minutes=15)
    check_due_orders(limit=10)
    assert fee_order(appointment).status == OrderStatus.CLOSED
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED
    assert places(fee_session) == 0
    assert check_due_refunds(limit=10) == 0


def test_a_notification_for_a_fee_after_the_close_pays_and_refunds(
    fee_session, alice, alice_self, merchant
):
    """No patient is charged for a place they no longer hold."""
    from carebridge.billing.notifications import Notification
    from carebridge.sandbox.wxpay.resources import transaction_data

    from .helpers import paid

    appointment = booked(fee_session, alice_self, alice)
    order = fee_order(appointment)
    sandbox_order = paid(order)
    mark_closed(order)
    note = Notification(
        "n-1",
        "TRANSACTION.SUCCESS",
        "2026-12-03T10:00:00+08:00",
        "支付成功",
        transaction_data(sandbox_order),
    )
    assert apply_notification(merchant, note).accepted
    follow_up()
    assert Refund.objects.get(order=order).amount == order.total


@pytest.mark.django_db(transaction=True)
def test_a_refund_whose_signal_was_lost_is_asked_for_by_the_sweep(
    fee_session, alice, alice_self, clock
):
    from carebridge.billing.registration import refund_cancelled_fee, refund_forgotten_fees
    from carebridge.booking.signals import refund_requested

    appointment = booked(fee_session, alice_self, alice)
    order = fee_order(appointment)
    record_payment(payment(order))
    follow_up()
    # The process dies between the cancellation's commit and its signal.
    refund_requested.disconnect(refund_cancelled_fee)
    try:
        cancel_appointment(
            Appointment.objects.get(pk=appointment.pk), now=before_visit(fee_session)
        )
    finally:
        refund_requested.connect(refund_cancelled_fee)
    # (cancelled "now" on the test's clock: before_visit is a moment of the booking's own day)
    Appointment.objects.filter(pk=appointment.pk).update(cancelled_at=timezone.now())
    assert not Refund.objects.exists()
    assert refund_forgotten_fees(limit=20) == 0  # the signal's own time first
    clock.advance(minutes=6)
    assert refund_forgotten_fees(limit=20) == 1
    [refund] = Refund.objects.filter(order=order)
    assert (refund.amount, refund.requested_by) == (1400, None)
    assert refund_forgotten_fees(limit=20) == 0  # under way: asked once
