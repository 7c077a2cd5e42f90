from datetime import timedelta

import pytest
from django.core.management import call_command

from carebridge.booking.actions import (
    call_next,
    cancel_appointment,
    check_in,
    send_visit_reminders,
    suspend_session,
)
from carebridge.booking.errors import CancelTooLate, SessionClosed, WrongState
from carebridge.booking.models import Appointment, BookingPolicy, PaymentStatus
from carebridge.institutions.models import DoctorNotice
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.models import TemplateSend

from .helpers import WECHAT, before_visit, book, make_session, write_confirmations

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates(hospital):
    return BookingPolicy.objects.create(
        institution=hospital,
        tpl_booking_confirmed="TPL_BOOKED",
        tpl_booking_cancelled="TPL_CANCELLED",
        tpl_visit_reminder="TPL_REMIND",
        tpl_suspension="TPL_SUSPEND",
        tpl_turn_near="TPL_NEAR",
        tpl_doctor_notice="TPL_NOTICE",
        turn_near_ahead=1,
    )


def sent(template_id):
    return list(TemplateSend.objects.filter(template_id=template_id).order_by("id"))


def test_booking_sends_a_confirmation_to_the_patients_account(
    templates, session, alice, alice_mother
):
    a = book(alice_mother, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert sent("TPL_BOOKED") == []  # the booking only queued it: the worker writes it
    assert write_confirmations() == 1
    [message] = sent("TPL_BOOKED")
    assert message.openid == alice.openid
    assert message.data["keyword1"]["value"] == "李秀英"
    assert message.data["keyword4"]["value"] == "1"
    assert message.url.endswith(f"/h5/renai/appointments/{a.pk}/")
    assert OutboxMessage.objects.filter(topic="wechat.template").count() == 1


def test_a_window_booking_of_a_wechat_patient_is_confirmed_to_that_account(
    templates, session, alice, alice_self
):
    book(alice_self, session, "window", now=before_visit(session))
    write_confirmations()
    assert [m.openid for m in sent("TPL_BOOKED")] == [alice.openid]


def test_nothing_is_sent_without_a_template_or_to_a_walk_in(session, alice, alice_self, templates):
    book(None, session, "window", walk_in_name="张三", person_key="w", now=before_visit(session))
    assert write_confirmations() == 0 and sent("TPL_BOOKED") == []
    templates.tpl_booking_confirmed = ""
    templates.save()
    book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert write_confirmations() == 0 and TemplateSend.objects.count() == 0


def test_a_visit_names_the_doctor_or_else_the_department_once(
    templates, hospital, cardiology, tomorrow, session, alice, alice_self, alice_mother
):
    clinic = make_session(hospital, cardiology, None, tomorrow, period="afternoon")
    book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    book(alice_mother, clinic, WECHAT, booked_by=alice, now=before_visit(clinic))
    write_confirmations()
    where = [m.data["keyword2"]["value"] for m in sent("TPL_BOOKED")]
    assert sorted(where) == ["心内科", "心内科 王建国"]


def test_a_cancellation_is_confirmed_through_the_outbox(templates, session, alice, alice_self):
    a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    cancel_appointment(a, now=before_visit(session))
    [message] = sent("TPL_CANCELLED")
    assert message.openid == alice.openid and message.data["first"]["value"] == "您的预约已取消"
    assert message.data["keyword1"]["value"] == "王小红" and "号源已释放" in str(message.data)
    assert message.url.endswith(f"/h5/renai/appointments/{a.pk}/")
    assert OutboxMessage.objects.filter(topic="wechat.template", status="pending").exists()


def test_a_cancellation_by_the_hospital_says_so_and_a_paid_fee_is_refunded(
    templates, session, alice, alice_self
):
    a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    Appointment.objects.filter(pk=a.pk).update(payment_status=PaymentStatus.PAID)
    a.refresh_from_db()
    cancel_appointment(a, by="suspension", reason="医生外出会诊。")
    [message] = sent("TPL_CANCELLED")
    remark = message.data["remark"]["value"]
    assert "医院已为您取消本次预约" in remark and "医生外出会诊" in remark
    assert "14.00 元将原路退还" in remark


def test_a_refused_cancellation_tells_nobody(templates, session, alice, alice_self):
    a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    with pytest.raises(CancelTooLate):
        cancel_appointment(a, now=session.starts_at)
    assert sent("TPL_CANCELLED") == []


def test_a_refused_message_never_undoes_the_booking(templates, session, alice, alice_self):
    templates.tpl_booking_confirmed = "not a valid id!"
    templates.save()
    a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert write_confirmations() == 1  # the worker logs the refusal for staff
    assert Appointment.objects.filter(pk=a.pk).exists() and TemplateSend.objects.count() == 0
    assert OutboxMessage.objects.get(topic="booking.confirmed").status == "sent"


def test_a_refused_booking_sends_nothing(templates, session, alice, alice_self):
    now = before_visit(session)
    book(alice_self, session, WECHAT, booked_by=alice, now=now)
    with pytest.raises(Exception):  # noqa: B017 - AlreadyBooked, tested elsewhere
        book(alice_self, session, WECHAT, booked_by=alice, now=now)
    assert write_confirmations() == 1
    assert len(sent("TPL_BOOKED")) == 1


def test_reminders_go_once_to_tomorrows_booked_patients(
    templates, session, alice, alice_self, alice_mother
):
    now = before_visit(session)
    book(alice_self, session, WECHAT, booked_by=alice, now=now)
    cancelled = book(alice_mother, session, WECHAT, booked_by=alice, now=now)
    cancel_appointment(cancelled, now=now)
    evening_before = session.starts_at - timedelta(hours=14)
    assert send_visit_reminders(now=evening_before) == 1
    assert send_visit_reminders(now=evening_before) == 0
    [reminder] = sent("TPL_REMIND")
    assert reminder.data["keyword1"]["value"] == "王小红"
    # Two days before, nothing is due yet.
    assert send_visit_reminders(now=evening_before - timedelta(days=1)) == 0


def test_the_reminder_command_runs_the_same_task(templates, session, alice, alice_self, capsys):
    book(alice_self, session, WECHAT, booked_by=alice)
    call_command("send_visit_reminders")
    call_command("send_visit_reminders")
    assert len(sent("TPL_REMIND")) == 1
    assert "1 reminder(s) queued" in capsys.readouterr().out


def test_suspension_stops_booking_publishes_a_notice_and_tells_booked_patients(
    templates, session, alice, alice_self, bob, bob_self
):
    now = before_visit(session)
    a = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    book(bob_self, session, WECHAT, booked_by=bob, now=now)
    notice = suspend_session(session, "医生外出会诊")
    session.refresh_from_db()
    assert session.status == "suspended"
    assert DoctorNotice.objects.get() == notice
    assert (notice.kind, notice.doctor_id, notice.starts_on) == (
        "suspension",
        session.doctor_id,
        session.date,
    )
    assert "医生外出会诊" in notice.text
    assert sorted(m.openid for m in sent("TPL_SUSPEND")) == sorted([alice.openid, bob.openid])
    with pytest.raises(SessionClosed):
        book(alice_self, session, "window", now=now)
    with pytest.raises(WrongState):
        suspend_session(session, "again")
    # Cancellation is offered after the deadline, and a paid fee is owed back in full.
    Appointment.objects.filter(pk=a.pk).update(payment_status=PaymentStatus.PAID)
    a.refresh_from_db()
    done = cancel_appointment(a, now=session.starts_at - timedelta(minutes=5))
    assert (done.status, done.payment_status) == ("cancelled", "refund_due")


def test_turn_near_messages_go_to_patients_close_to_the_front(
    templates, session, alice, alice_self, alice_mother, bob, bob_self
):
    now = before_visit(session)
    booked = [
        book(p, session, WECHAT if i < 2 else "window", booked_by=f, now=now)
        for i, (p, f) in enumerate([(alice_self, alice), (alice_mother, alice), (bob_self, None)])
    ]
    for a in booked:
        check_in(a, now=session.starts_at)
    call_next(session, now=session.starts_at)
    assert [m.data["remark"]["value"] for m in sent("TPL_NEAR")] == [
        "您前面还有 0 位患者,请到诊区候诊",
        "您前面还有 1 位患者,请到诊区候诊",
    ]
    call_next(session, now=session.starts_at + timedelta(minutes=5))
    assert len(sent("TPL_NEAR")) == 2  # nobody is told twice


def test_a_paid_cancellation_asks_billing_for_the_refund_after_commit(
    session, alice, alice_self, django_capture_on_commit_callbacks
):
    from carebridge.booking.signals import refund_requested

    heard = []

    def listener(sender, appointment_id, **kwargs):
        heard.append(appointment_id)

    refund_requested.connect(listener)
    try:
        a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
        Appointment.objects.filter(pk=a.pk).update(payment_status=PaymentStatus.PAID)
        a.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            cancel_appointment(a, now=before_visit(session))
        assert heard == [a.pk] and len(callbacks) == 1
        unpaid = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
        with django_capture_on_commit_callbacks(execute=True):
            cancel_appointment(unpaid, now=before_visit(session))
        assert heard == [a.pk]  # nothing owed, nothing asked
    finally:
        refund_requested.disconnect(listener)


def expiry(message):
    return OutboxMessage.objects.get(
        topic="wechat.template", payload__send_id=message.pk
    ).expires_at


def test_messages_whose_moment_passes_are_not_sent_late(
    templates, session, alice, alice_self, alice_mother
):
    """A confirmation or "your turn is near" is no use once the session is over, nor a
    reminder once the visit has begun: each row says when its moment passes, and the worker
    drops it past then (outbox/worker.py) however long WeChat was down."""
    now = before_visit(session)
    first, second = (
        book(p, session, WECHAT, booked_by=alice, now=now) for p in (alice_self, alice_mother)
    )
    write_confirmations()
    send_visit_reminders(now=session.starts_at - timedelta(hours=14))
    for appointment in (first, second):
        check_in(appointment, now=session.starts_at)
    call_next(session, now=session.starts_at)
    assert [expiry(m) for m in sent("TPL_BOOKED")] == [session.ends_at] * 2
    assert [expiry(m) for m in sent("TPL_REMIND")] == [first.slot.starts_at, second.slot.starts_at]
    assert [expiry(m) for m in sent("TPL_NEAR")] == [session.ends_at] * len(sent("TPL_NEAR"))
    assert sent("TPL_NEAR")
