"""Races for the last places, on the real database (SQLite file or PostgreSQL): many threads,
and processes, start together at a barrier; exactly capacity bookings succeed."""

import multiprocessing
import threading
from collections import Counter
from datetime import date

import pytest
from django.db import connections

from carebridge.booking.errors import BookingError
from carebridge.booking.models import Appointment, ClinicSession, SessionQuota, Slot
from carebridge.patients.models import Patient
from carebridge.patients.tests import factories

from .helpers import WECHAT, before_visit, book, make_session

pytestmark = pytest.mark.django_db(transaction=True)

BARRIER_TIMEOUT = 60


def make_patients(account, n):
    patients = []
    for i in range(n):
        follower = factories.follower(account, f"o_racer_{i:04d}")
        born = date(1980 + i % 20, 1 + i % 12, 1 + i % 28)
        patients.append(
            factories.patient(
                follower,
                name=f"患者{i}",
                birth_date=born,
                id_number=factories.resident_id(born, seq=i % 400 + 1),
            )
        )
    return patients


def book_by_ids(session_id, patient_id, now):
    """Book with fresh rows, as a separate request would; returns an outcome code."""
    try:
        session = ClinicSession.objects.select_related("institution").get(pk=session_id)
        patient = Patient.objects.select_related("owner__account").get(pk=patient_id)
        book(patient, session, WECHAT, booked_by=patient.owner, now=now)
        return "booked"
    except BookingError as exc:
        return exc.code
    finally:
        connections.close_all()


def race_threads(session, patient_ids, now):
    barrier = threading.Barrier(len(patient_ids), timeout=BARRIER_TIMEOUT)
    results = []

    def run(pid):
        barrier.wait()
        results.append(book_by_ids(session.pk, pid, now))

    threads = [threading.Thread(target=run, args=(pid,)) for pid in patient_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(BARRIER_TIMEOUT * 2)
    assert not any(t.is_alive() for t in threads)
    return Counter(results)


def assert_consistent(session, capacity):
    holding = Appointment.objects.filter(session=session, status="booked")
    assert holding.count() == capacity
    assert sorted(holding.values_list("queue_number", flat=True)) == list(range(1, capacity + 1))
    assert Slot.objects.filter(session=session, booked=1).count() == capacity
    assert SessionQuota.objects.get(session=session, channel=WECHAT).booked == capacity


def test_thirty_threads_racing_for_ten_places_book_exactly_ten(
    hospital, account, cardiology, dr_wang, tomorrow
):
    session = make_session(hospital, cardiology, dr_wang, tomorrow, capacity=10, quota_wechat=10)
    patients = make_patients(account, 30)
    outcome = race_threads(session, [p.pk for p in patients], before_visit(session))
    assert outcome == Counter({"booked": 10, "sold_out": 20})
    assert_consistent(session, 10)


def test_the_same_patient_racing_twenty_times_gets_one_appointment(session, alice, alice_self):
    outcome = race_threads(session, [alice_self.pk] * 20, before_visit(session))
    assert outcome == Counter({"booked": 1, "already_booked": 19})
    assert Appointment.objects.filter(person_key=alice_self.id_number_hash).count() == 1
    assert SessionQuota.objects.get(session=session, channel=WECHAT).booked == 1


def _process_worker(barrier, queue, session_id, patient_ids, now):
    connections.close_all()  # never share the parent's socket
    barrier.wait()
    queue.put([book_by_ids(session_id, pid, now) for pid in patient_ids])


@pytest.mark.slow
def test_processes_racing_for_the_last_places_never_oversell(
    hospital, account, cardiology, dr_wang, tomorrow
):
    session = make_session(hospital, cardiology, dr_wang, tomorrow, capacity=6, quota_wechat=6)
    patients = make_patients(account, 16)
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(8, timeout=BARRIER_TIMEOUT), ctx.Queue()
    now = before_visit(session)
    procs = [
        ctx.Process(
            target=_process_worker,
            args=(barrier, queue, session.pk, [p.pk for p in patients[i::8]], now),
        )
        for i in range(8)
    ]
    for p in procs:
        p.start()
    outcome = Counter()
    for _ in procs:
        outcome.update(queue.get(timeout=BARRIER_TIMEOUT * 2))
    for p in procs:
        p.join(BARRIER_TIMEOUT)
        assert p.exitcode == 0
    assert outcome == Counter({"booked": 6, "sold_out": 10})
    assert_consistent(session, 6)


def test_a_suspension_racing_a_booking_tells_its_patient_or_refuses_it(
    session, alice, alice_self, hospital
):
    """The booking pauses just before it commits; a suspension starts meanwhile. Either the
    suspension waits and then tells the patient, or the booking is refused: never a booked
    patient of a suspended session who was not told."""
    from unittest import mock

    from carebridge.booking import hot_path
    from carebridge.booking.actions import suspend_session
    from carebridge.booking.models import BookingPolicy
    from carebridge.wechat.models import TemplateSend

    BookingPolicy.objects.create(institution=hospital, tpl_suspension="TPL_SUSPEND")
    paused, go, suspended = threading.Event(), threading.Event(), threading.Event()
    take = hot_path.PlaceClaim.take
    outcome = {}

    def pause_before_commit(place, session_id, channel):
        take(place, session_id, channel)  # the claim is sent: only COMMIT follows
        paused.set()
        assert go.wait(BARRIER_TIMEOUT)

    def book():
        with mock.patch.object(hot_path.PlaceClaim, "take", pause_before_commit):
            outcome["booking"] = book_by_ids(session.pk, alice_self.pk, before_visit(session))

    def suspend():
        try:
            suspend_session(ClinicSession.objects.get(pk=session.pk), "医生外出会诊")
            suspended.set()
        finally:
            connections.close_all()

    booking = threading.Thread(target=book)
    booking.start()
    assert paused.wait(BARRIER_TIMEOUT)
    suspension = threading.Thread(target=suspend)
    suspension.start()
    # Give an unguarded suspension every chance to finish while the booking is still open.
    suspended.wait(2)
    go.set()
    booking.join(BARRIER_TIMEOUT)
    suspension.join(BARRIER_TIMEOUT)
    assert not booking.is_alive() and not suspension.is_alive() and suspended.is_set()
    holding = Appointment.objects.filter(session=session, status="booked")
    told = set(TemplateSend.objects.filter(template_id="TPL_SUSPEND").values_list("openid"))
    assert outcome["booking"] in ("booked", "session_closed")
    assert all((a.booked_by.openid,) in told for a in holding)
