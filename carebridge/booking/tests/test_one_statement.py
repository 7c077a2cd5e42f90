"""A booking without a WeChat account (window, kiosk, phone centre) on PostgreSQL: one statement,
its own transaction (actions/one_statement.py). It writes what the usual way writes, refuses
what it refuses, and falls back to it when it cannot tell why nothing was taken."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from carebridge.booking.actions import book as book_module
from carebridge.booking.actions import book_appointment, suspend_session
from carebridge.booking.errors import AlreadyBooked, LimitReached, SoldOut
from carebridge.booking.models import (
    Appointment,
    BookingPolicy,
    ClinicSession,
    SessionQuota,
    Slot,
)
from carebridge.booking.notify import CONFIRMATION_TOPIC
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.models import TemplateSend

from .helpers import before_visit, make_session

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one statement is PostgreSQL's"
)

WAIT = 30  # seconds: a deadline for what another thread must reach, never a sleep


@pytest.fixture
def confirmed(hospital):
    return BookingPolicy.objects.create(
        institution=hospital, tpl_booking_confirmed="TPL_BOOKED", tpl_suspension="TPL_SUSPEND"
    )


def _kiosk(patient, session, **kwargs):
    return book_appointment(patient, session, "kiosk", now=before_visit(session), **kwargs)


def _usual_way_only():
    return mock.patch.object(book_module.one_statement, "usable", return_value=False)


def _row(appointment) -> dict:
    """The appointment as stored, without what differs between any two bookings."""
    row = Appointment.objects.filter(pk=appointment.pk).values().get()
    differ = (
        "id",
        "slot_id",
        "queue_number",
        "checkin_code",
        "booked_at",
        "person_key",
        "patient_id",
    )
    for field in differ:
        row.pop(field)
    return row


def _confirmation_of(appointment) -> OutboxMessage:
    return OutboxMessage.objects.get(
        topic=CONFIRMATION_TOPIC, payload__appointment_id=appointment.pk
    )


@pytest.mark.django_db(transaction=True)
def test_one_statement_writes_what_the_usual_way_writes(
    session, alice_self, alice_mother, confirmed
):
    with CaptureQueriesContext(connection) as queries:
        fast = _kiosk(alice_self, session)
    # Beside the reads of the rules (the API's opening read brings them along), one statement.
    writes = [q["sql"].split(" ", 1)[0] for q in queries if not q["sql"].startswith("SELECT")]
    assert writes in (["EXECUTE"], ["PREPARE", "EXECUTE"])
    session.pools.filter(channel="kiosk").update(capacity=2)
    with _usual_way_only():
        usual = _kiosk(alice_mother, session)

    assert _row(fast) == _row(usual)
    assert (fast.queue_number, usual.queue_number) == (1, 2)
    assert Appointment.objects.get(pk=fast.pk).patient_id == alice_self.pk
    assert fast.slot.number == fast.queue_number and fast.booked_at is not None
    assert Appointment.objects.get(pk=fast.pk).slot_id == fast.slot_id
    assert Slot.objects.get(pk=fast.slot_id).booked == 1
    assert SessionQuota.objects.get(session=session, channel="kiosk").booked == 2
    confirmations = [_confirmation_of(a) for a in (fast, usual)]
    assert {(m.status, m.attempts, m.dedup_key) for m in confirmations} == {("pending", 0, None)}
    assert confirmations[0].available_at <= confirmations[1].available_at


@pytest.mark.django_db(transaction=True)
def test_a_walk_in_gets_no_confirmation_row(session, confirmed):
    walk_in = book_appointment(
        None, session, "window", walk_in_name="张三", person_key="walkin-1",
        now=before_visit(session),
    )  # fmt: skip
    assert walk_in.pk and walk_in.queue_number == 1
    assert not OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC).exists()


@pytest.mark.django_db(transaction=True)
def test_without_the_template_a_patient_gets_no_confirmation_row(session, alice_self):
    assert _kiosk(alice_self, session).pk
    assert not OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC).exists()


@pytest.mark.django_db(transaction=True)
def test_a_limit_reached_is_named_from_the_statements_counts(
    session, alice_self, hospital, cardiology, dr_wang, tomorrow
):
    BookingPolicy.objects.create(institution=hospital, patient_daily_limit=1)
    afternoon = make_session(hospital, cardiology, dr_wang, tomorrow, period="afternoon")
    _kiosk(alice_self, session)
    with mock.patch.object(book_module, "_book_in_transaction") as usual_way:
        with pytest.raises(AlreadyBooked):
            _kiosk(alice_self, session)
        with pytest.raises(LimitReached):
            _kiosk(alice_self, afternoon)
    usual_way.assert_not_called()
    assert Appointment.objects.count() == 1
    assert SessionQuota.objects.get(session=afternoon, channel="kiosk").booked == 0
    assert not Slot.objects.filter(session=afternoon, booked__gt=0).exists()


@pytest.mark.django_db
def test_inside_a_callers_transaction_a_refusal_leaves_it_usable(session, alice_self):
    with transaction.atomic():
        _kiosk(alice_self, session)
        with pytest.raises(AlreadyBooked):
            _kiosk(alice_self, session)
        assert Appointment.objects.count() == 1  # the transaction still answers


def _waiting_on_a_lock(count: int = 1) -> None:
    """Return once ``count`` other database sessions wait for a lock; fail after WAIT."""
    deadline = time.monotonic() + WAIT
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            # A transaction sees the activity statistics as they were when it first looked.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.01)
    raise AssertionError("nobody waited for the lock")


def _in_thread(target, outcome, key):
    def run():
        try:
            outcome[key] = target()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcome[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _book_by_ids(session_id, patient):
    session = ClinicSession.objects.select_related("institution").get(pk=session_id)
    return _kiosk(patient, session)


@pytest.mark.django_db(transaction=True)
def test_the_pools_last_place_taken_meanwhile_is_sold_out_and_nothing_changes(session, alice_self):
    """The statement saw room in the pool; before it claimed the pool's row, another booking took
    the last place. The pool's check constraint fails the statement, which undoes its slot; the
    usual way then finds the pool full."""
    outcome = {}
    with transaction.atomic():
        pool = SessionQuota.objects.select_for_update().get(session=session, channel="kiosk")
        booking = _in_thread(lambda: _book_by_ids(session.pk, alice_self), outcome, "booking")
        _waiting_on_a_lock()
        pool.booked = pool.capacity
        pool.save(update_fields=["booked"])
    booking.join(WAIT)
    assert isinstance(outcome["booking"], SoldOut)
    assert not Appointment.objects.exists()
    assert not Slot.objects.filter(session=session, booked__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_a_suspension_waits_for_the_statement_in_flight_and_tells_its_patient(
    session, alice_self, confirmed
):
    """The statement has share-locked the session and waits for the pool's row; a suspension
    comes meanwhile. It waits for the booking, then tells its patient."""
    outcome = {}
    with transaction.atomic():
        SessionQuota.objects.select_for_update().get(session=session, channel="kiosk")
        booking = _in_thread(lambda: _book_by_ids(session.pk, alice_self), outcome, "booking")
        _waiting_on_a_lock()
        suspension = _in_thread(
            lambda: suspend_session(ClinicSession.objects.get(pk=session.pk), "医生外出会诊"),
            outcome,
            "suspension",
        )
        _waiting_on_a_lock(2)  # the suspension waits for the booking's share lock
    booking.join(WAIT)
    suspension.join(WAIT)
    appointment = outcome["booking"]
    assert isinstance(appointment, Appointment), outcome
    assert not isinstance(outcome["suspension"], Exception), outcome
    told = TemplateSend.objects.filter(template_id="TPL_SUSPEND")
    assert list(told.values_list("openid", flat=True)) == [alice_self.owner.openid]
