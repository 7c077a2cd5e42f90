"""hot_path.py's statements agree with their ORM definitions, row for row, on SQLite and
PostgreSQL: each is run on the same data as the ORM's version of it, and what each took and
left behind is compared."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F
from django.forms.models import model_to_dict

from carebridge.booking import hot_path
from carebridge.booking.models import ClinicSession, SessionQuota, SessionStatus, Slot

from .helpers import before_visit, make_session

pytestmark = pytest.mark.django_db


def orm_claim_slot(session_id, now, slot_id=None) -> Slot | None:
    """claim_slot's definition: the first of ``Slot.objects.free(now)`` (or the chosen one, if
    free), one place more by a conditional update."""
    free = Slot.objects.free(now).filter(session_id=session_id)
    if slot_id is not None:
        free = free.filter(pk=slot_id)
    first = free.first()
    if first is None or not Slot.objects.free(now).filter(pk=first.pk).update(
        booked=F("booked") + 1
    ):
        return None
    return Slot.objects.get(pk=first.pk)


def orm_claim_place(session_id, channel) -> bool:
    """claim_place's definition: a pool of ``with_room()`` of a session ``open_for_booking()``."""
    return bool(
        SessionQuota.objects.with_room()
        .filter(
            session_id=session_id,
            channel=channel,
            session__in=ClinicSession.objects.open_for_booking(),
        )
        .update(booked=F("booked") + 1)
    )


def _state(session):
    slots = list(Slot.objects.filter(session=session).order_by("number").values())
    pools = list(SessionQuota.objects.filter(session=session).order_by("channel").values())
    return slots, pools


def both(session, statement, definition, *args):
    """(hot result, ORM result) and the tables after each, each run on the same data and then
    rolled back."""
    outcomes = []
    for run in (statement, definition):
        with transaction.atomic():
            result = run(*args)
            if isinstance(result, Slot):
                result = model_to_dict(result)
            outcomes.append((result, _state(session)))
            transaction.set_rollback(True)
    return outcomes


def assert_same(session, statement, definition, *args):
    (hot, hot_after), (orm, orm_after) = both(session, statement, definition, *args)
    assert hot == orm
    assert hot_after == orm_after
    return hot


@pytest.fixture
def now(session):
    return before_visit(session)


def test_claim_slot_takes_the_first_free_slot(session, now):
    taken = assert_same(session, hot_path.claim_slot, orm_claim_slot, session.pk, now)
    assert taken["number"] == 1 and taken["booked"] == 1


def test_claim_slot_skips_taken_closed_and_ended_slots(session, now):
    Slot.objects.filter(session=session, number=1).update(booked=1)
    Slot.objects.filter(session=session, number=2).update(capacity=0)  # closed by staff
    Slot.objects.filter(session=session, number=3).update(ends_at=now - timedelta(minutes=1))
    taken = assert_same(session, hot_path.claim_slot, orm_claim_slot, session.pk, now)
    assert taken["number"] == 4


def test_claim_slot_finds_nothing_in_a_full_session(session, now):
    Slot.objects.filter(session=session).update(booked=F("capacity"))
    assert assert_same(session, hot_path.claim_slot, orm_claim_slot, session.pk, now) is None


def test_claim_slot_takes_a_chosen_free_slot_only(session, now, other_hospital):
    third = session.slots.get(number=3)
    taken = assert_same(session, hot_path.claim_slot, orm_claim_slot, session.pk, now, third.pk)
    assert taken["id"] == third.pk
    Slot.objects.filter(pk=third.pk).update(booked=1)
    assert (
        assert_same(session, hot_path.claim_slot, orm_claim_slot, session.pk, now, third.pk) is None
    )
    foreign = other_hospital.test_session.slots.first()
    assert (
        assert_same(session, hot_path.claim_slot, orm_claim_slot, session.pk, now, foreign.pk)
        is None
    )


def test_claim_slot_returns_the_slot_as_stored(session, now):
    """The row comes back through the ORM's own conversions (dates on SQLite)."""
    with transaction.atomic():
        taken = hot_path.claim_slot(session.pk, now)
        assert model_to_dict(taken) == model_to_dict(Slot.objects.get(pk=taken.pk))
        assert taken.starts_at == Slot.objects.get(pk=taken.pk).starts_at
        transaction.set_rollback(True)


@pytest.mark.parametrize("channel", ["wechat", "window", "kiosk"])
def test_claim_place_takes_from_a_pool_with_room(session, channel):
    assert assert_same(session, hot_path.claim_place, orm_claim_place, session.pk, channel)


def test_claim_place_refuses_a_full_pool(session):
    SessionQuota.objects.filter(session=session, channel="window").update(booked=F("capacity"))
    assert not assert_same(session, hot_path.claim_place, orm_claim_place, session.pk, "window")
    # Another channel's pool of the same session is not touched by the refusal.
    assert assert_same(session, hot_path.claim_place, orm_claim_place, session.pk, "kiosk")


def test_claim_place_refuses_a_suspended_session(session):
    ClinicSession.objects.filter(pk=session.pk).update(status=SessionStatus.SUSPENDED)
    assert not assert_same(session, hot_path.claim_place, orm_claim_place, session.pk, "wechat")


def test_claim_place_refuses_a_channel_without_a_pool(hospital, cardiology, dr_wang, tomorrow):
    session = make_session(hospital, cardiology, dr_wang, tomorrow, capacity=2, quota_wechat=2)
    SessionQuota.objects.filter(session=session).exclude(channel="wechat").delete()
    assert not assert_same(session, hot_path.claim_place, orm_claim_place, session.pk, "phone")
