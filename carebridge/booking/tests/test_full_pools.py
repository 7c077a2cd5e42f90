"""A pool seen full is answered "sold out" from the shared cache, and never after a place of it
was given back, its quotas changed or its session stopped (booking/full_pools.py)."""

from unittest import mock

import pytest
from django.core.cache import cache

from carebridge.booking import full_pools, hot_path
from carebridge.booking.actions import cancel_appointment, set_quotas, suspend_session
from carebridge.booking.errors import SessionClosed, SoldOut
from carebridge.booking.models import Appointment

from .helpers import before_visit, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_window(session, alice_self):
    """The window's one place, taken."""
    return book(alice_self, session, "window", now=before_visit(session))


def _no_read():
    return mock.patch.object(hot_path, "opening", side_effect=AssertionError("pool read"))


def test_a_pool_seen_full_is_sold_out_without_a_read(session, full_window, alice_mother):
    with pytest.raises(SoldOut):
        book(alice_mother, session, "window", now=before_visit(session))
    with _no_read(), pytest.raises(SoldOut):
        book(alice_mother, session, "window", now=before_visit(session))


def test_a_place_given_back_is_offered_at_once(session, full_window, alice_mother):
    with pytest.raises(SoldOut):
        book(alice_mother, session, "window", now=before_visit(session))
    cancel_appointment(full_window, by="staff")
    taken = book(alice_mother, session, "window", now=before_visit(session))
    assert taken.patient == alice_mother


def test_new_quotas_are_read_at_once(session, full_window, alice_mother):
    with pytest.raises(SoldOut):
        book(alice_mother, session, "window", now=before_visit(session))
    set_quotas(session, {"wechat": 1, "window": 2, "kiosk": 1, "phone": 0, "referral": 0})
    assert book(alice_mother, session, "window", now=before_visit(session)).channel == "window"


def test_a_suspended_session_says_so_not_sold_out(session, full_window, alice_mother):
    with pytest.raises(SoldOut):
        book(alice_mother, session, "window", now=before_visit(session))
    suspend_session(session, "医生外出会诊")
    with pytest.raises(SessionClosed):
        book(alice_mother, session, "window", now=before_visit(session))


def test_other_channels_and_institutions_are_not_affected(
    session, full_window, alice_mother, other_hospital
):
    with pytest.raises(SoldOut):
        book(alice_mother, session, "window", now=before_visit(session))
    assert book(alice_mother, session, "kiosk", now=before_visit(session)).channel == "kiosk"
    # The entry names its institution: another institution asking for this session id is told
    # there is no such session, as for any id not its own.
    known, _mark = full_pools.look(other_hospital.pk, session.pk, "window")
    assert not known


def test_an_entry_written_while_a_place_was_given_back_is_not_trusted(session, hospital):
    """The mark is read before the pool: a release committing between the two makes the entry
    written after the read useless."""
    known, mark = full_pools.look(hospital.pk, session.pk, "window")
    full_pools.places_changed(session.pk)  # a cancellation meanwhile
    full_pools.remember(hospital.pk, session.pk, "window", mark)
    assert full_pools.look(hospital.pk, session.pk, "window")[0] is False


def test_a_failing_cache_reads_the_pool(session, full_window, alice_mother):
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("down")):
        with pytest.raises(SoldOut):
            book(alice_mother, session, "window", now=before_visit(session))
        assert Appointment.objects.count() == 1


def test_zero_seconds_turns_it_off(session, full_window, alice_mother, settings):
    settings.BOOKING_FULL_POOL_SECONDS = 0
    with pytest.raises(SoldOut):
        book(alice_mother, session, "window", now=before_visit(session))
    assert not full_pools.look(session.institution_id, session.pk, "window")[0]
