"""A full pool is remembered for a moment per process (booking/sold_out.py): the requests after
it are answered sold_out without reading the pool, a place given back in this process is
offered at once, and the memory never outlives BOOKING_SOLD_OUT_MEMO_SECONDS."""

import pytest

from carebridge.booking import sold_out
from carebridge.booking.actions import cancel_appointment, set_quotas
from carebridge.booking.models import Appointment, SessionQuota

from .test_api import call, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_window(client, session, alice_self):
    """The session's window pool cut to one place, and that place booked through the API."""
    key = make_client(session.institution)
    pools = {p.channel: p.capacity for p in session.pools.all()}
    set_quotas(session, {**pools, "window": 1, "wechat": pools["wechat"] + pools["window"] - 1})
    body = {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}}
    assert call(client, "post", "/booking/appointments", key, body).status_code == 201
    return key


def _book(client, key, session, patient):
    body = {"session_id": session.pk, "patient": {"patient_id": patient.pk}}
    return call(client, "post", "/booking/appointments", key, body)


def test_after_a_full_pool_is_seen_sold_out_needs_no_read(
    client, session, full_window, alice_mother, django_assert_num_queries
):
    assert _book(client, full_window, session, alice_mother).json()["code"] == "sold_out"
    with django_assert_num_queries(1):  # the key; the pool is not read again
        r = _book(client, full_window, session, alice_mother)
    assert (r.status_code, r.json()["code"]) == (409, "sold_out")
    assert Appointment.objects.count() == 1


def test_the_memory_ends_after_its_seconds(
    client, session, full_window, alice_mother, monkeypatch, django_assert_num_queries
):
    assert _book(client, full_window, session, alice_mother).json()["code"] == "sold_out"
    clock = sold_out.time.monotonic() + 1.01
    monkeypatch.setattr(sold_out.time, "monotonic", lambda: clock)
    with django_assert_num_queries(2):  # the key, then the pool again
        assert _book(client, full_window, session, alice_mother).json()["code"] == "sold_out"


def test_a_place_given_back_in_this_process_is_offered_at_once(
    client, session, full_window, alice_self, alice_mother
):
    assert _book(client, full_window, session, alice_mother).json()["code"] == "sold_out"
    cancel_appointment(Appointment.objects.get(patient=alice_self), by="staff")
    assert _book(client, full_window, session, alice_mother).status_code == 201


def test_new_quotas_are_read_at_once(client, session, full_window, alice_mother):
    assert _book(client, full_window, session, alice_mother).json()["code"] == "sold_out"
    pools = {p.channel: p.capacity for p in session.pools.all()}
    set_quotas(session, {**pools, "window": 2, "wechat": pools["wechat"] - 1})
    assert _book(client, full_window, session, alice_mother).status_code == 201


def test_other_pools_and_institutions_are_not_affected(session, hospital, other_hospital):
    sold_out.remember_full(hospital.pk, session.pk, "window")
    assert sold_out.known_full(hospital.pk, session.pk, "window")
    assert not sold_out.known_full(hospital.pk, session.pk, "kiosk")
    assert not sold_out.known_full(other_hospital.pk, session.pk, "window")


def test_zero_seconds_turns_it_off(
    client, session, full_window, alice_mother, settings, django_assert_num_queries
):
    settings.BOOKING_SOLD_OUT_MEMO_SECONDS = 0
    assert _book(client, full_window, session, alice_mother).json()["code"] == "sold_out"
    with django_assert_num_queries(2):
        assert _book(client, full_window, session, alice_mother).json()["code"] == "sold_out"
    assert SessionQuota.objects.get(session=session, channel="window").booked == 1
