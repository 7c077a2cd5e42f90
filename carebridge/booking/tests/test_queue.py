from datetime import timedelta

import pytest

from carebridge.booking.actions import call_next, check_in, mark_no_show
from carebridge.booking.errors import QueueEmpty, SessionClosed, WrongState
from carebridge.booking.models import Appointment, BookingPolicy, SessionStatus, WaitRecord
from carebridge.booking.queries import queue_position, session_queue, todays_queues

from .helpers import WECHAT, before_visit, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(session, alice, alice_self, alice_mother, bob, bob_self):
    """Numbers 1 and 2 by WeChat (alice's patients), 3 at the window (bob's), 4 at the kiosk."""
    now = before_visit(session)
    return [
        book(alice_self, session, WECHAT, booked_by=alice, now=now),
        book(alice_mother, session, WECHAT, booked_by=alice, now=now),
        book(bob_self, session, "window", now=now),
        book(None, session, "kiosk", walk_in_name="张三", person_key="w", now=now),
    ]


def test_every_channel_books_into_one_queue_numbered_in_order(booked):
    assert [(a.channel, a.queue_number) for a in booked] == [
        ("wechat", 1),
        ("wechat", 2),
        ("window", 3),
        ("kiosk", 4),
    ]


def test_check_in_gives_the_position_among_those_waiting(session, booked):
    t = session.starts_at
    assert check_in(booked[2], now=t) == 1
    assert check_in(booked[0], now=t) == 1  # a lower number goes before
    booked[2].refresh_from_db()
    assert queue_position(booked[2]) == 2
    assert session_queue(session, t).waiting == 2


def test_check_in_is_refused_on_another_day_twice_or_after_cancellation(session, booked):
    with pytest.raises(WrongState, match="就诊当天"):
        check_in(booked[0], now=session.starts_at - timedelta(hours=3))
    check_in(booked[0], now=session.starts_at)
    with pytest.raises(WrongState):
        check_in(booked[0], now=session.starts_at)
    with pytest.raises(WrongState, match="就诊当天"):
        check_in(booked[1], now=session.ends_at)


def test_check_in_to_a_suspended_session_is_refused(session, booked):
    session.status = SessionStatus.SUSPENDED
    session.save(update_fields=["status"])
    with pytest.raises(SessionClosed):
        check_in(booked[0], now=session.starts_at)


def test_call_next_calls_the_lowest_checked_in_number_and_records_the_wait(session, booked):
    t = session.starts_at
    check_in(booked[2], now=t)
    check_in(booked[1], now=t + timedelta(minutes=5))
    called = call_next(session, now=t + timedelta(minutes=20))
    assert called.pk == booked[1].pk and called.status == "called"
    record = WaitRecord.objects.get()
    assert (record.department_id, record.wait_seconds, record.channel) == (
        session.department_id,
        15 * 60,
        "wechat",
    )
    assert call_next(session, now=t + timedelta(minutes=30)).pk == booked[2].pk
    with pytest.raises(QueueEmpty):
        call_next(session, now=t + timedelta(minutes=31))
    assert WaitRecord.objects.count() == 2


def test_estimated_wait_follows_recent_consultation_durations(session, booked):
    t = session.starts_at
    for a in booked:
        check_in(a, now=t)
    # Default before any history: 8 minutes a patient.
    assert session_queue(session, t).estimated_wait() == 4 * 8
    for minute in (0, 12, 24, 36):
        call_next(session, now=t + timedelta(minutes=minute))
    assert session_queue(session, t + timedelta(minutes=40)).minutes_per_patient == 12


def test_todays_queues_count_waiting_patients_per_doctor(session, booked):
    t = session.starts_at
    check_in(booked[0], now=t)
    check_in(booked[3], now=t)
    [(s, queue)] = todays_queues(session.institution, now=t)
    assert s == session and queue.waiting == 2


def test_a_checked_in_patient_cannot_be_marked_no_show(session, booked):
    check_in(booked[0], now=session.starts_at)
    with pytest.raises(WrongState):
        mark_no_show(booked[0], now=session.ends_at)
    assert Appointment.objects.get(pk=booked[0].pk).status == "checked_in"


def test_turn_near_is_claimed_once_per_appointment(session, booked):
    BookingPolicy.objects.create(institution=session.institution, turn_near_ahead=1)
    t = session.starts_at
    for a in booked:
        check_in(a, now=t)
    call_next(session, now=t)
    near = set(
        Appointment.objects.exclude(turn_near_sent_at=None).values_list("queue_number", flat=True)
    )
    assert near == {2, 3}  # 2 is next (0 ahead), 3 has 1 ahead; 4 has 2 ahead
    call_next(session, now=t + timedelta(minutes=1))
    near = set(
        Appointment.objects.exclude(turn_near_sent_at=None).values_list("queue_number", flat=True)
    )
    assert near == {2, 3, 4}
