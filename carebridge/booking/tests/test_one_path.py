"""Every channel books through one action, so a side effect added to booking (billing's order
row next) is written once and happens for every booking; and nothing remembers a full pool, so
a place given back anywhere is offered again at once everywhere."""

import multiprocessing
from datetime import date
from unittest import mock

import pytest
from django.db import connections
from django.db.models.signals import post_save

from carebridge.booking import actions
from carebridge.booking.models import Appointment
from carebridge.patients.tests import factories

from .helpers import make_session
from .test_api import call, make_client

BARRIER_TIMEOUT = 60


@pytest.fixture
def every_pool(hospital, cardiology, dr_wang, tomorrow):
    """Two places for each of the five channels."""
    pools = ("wechat", "window", "kiosk", "phone", "referral")
    return make_session(
        hospital, cardiology, dr_wang, tomorrow, capacity=10, **{f"quota_{c}": 2 for c in pools}
    )


@pytest.fixture
def billing_receiver():
    """What billing will do: a receiver of every new appointment."""
    seen = []

    def receive(sender, instance, created, **kwargs):
        if created:
            seen.append((instance.pk, instance.channel))

    post_save.connect(receive, sender=Appointment, weak=False)
    yield seen
    post_save.disconnect(receive, sender=Appointment)


def _wechat_booking(alice_client, session, slot, patient):
    r = alice_client.post(
        f"/h5/renai/booking/session/{session.pk}/slot/{slot.pk}/", {"patient": patient.pk}
    )
    assert r.status_code == 302, r.content.decode()


def _api_booking(client, key, session, patient, slot=None):
    body = {"session_id": session.pk, "patient": {"patient_id": patient.pk}}
    if slot is not None:
        body["slot_id"] = slot.pk
    r = call(client, "post", "/booking/appointments", key, body)
    assert r.status_code == 201, r.content.decode()
    return r.json()


@pytest.mark.django_db
def test_every_channel_and_both_kinds_of_slot_go_through_book_appointment(
    client, alice, alice_client, hospital, every_pool, alice_self, billing_receiver
):
    session = every_pool
    others = [
        factories.patient(
            alice,
            name=f"家人{i}",
            birth_date=date(1950 + i, 3, 1),
            id_number=factories.resident_id(date(1950 + i, 3, 1), seq=i + 10),
        )
        for i in range(4)
    ]
    with mock.patch.object(actions, "book_appointment", wraps=actions.book_appointment) as spy:
        _wechat_booking(alice_client, session, session.slots.get(number=5), alice_self)
        for channel, person, number in zip(
            ("window", "kiosk", "phone", "referral"), others, (None, 7, None, 9), strict=True
        ):
            key = make_client(hospital, channel, f"{channel} client")
            slot = session.slots.get(number=number) if number else None
            shown = _api_booking(client, key, session, person, slot)
            assert shown["channel"] == channel
            if number:
                assert shown["queue_number"] == number
    channels = [call.args[2] for call in spy.call_args_list]
    assert channels == ["wechat", "window", "kiosk", "phone", "referral"]
    slot_ids = [call.kwargs["slot_id"] for call in spy.call_args_list]
    assert [slot_id is None for slot_id in slot_ids] == [False, True, False, True, False]
    # The receiver saw each booking once, whatever its channel or slot.
    assert [channel for _pk, channel in billing_receiver] == channels
    assert sorted(pk for pk, _channel in billing_receiver) == sorted(
        Appointment.objects.values_list("pk", flat=True)
    )


def _cancel_in_another_process(queue, appointment_id):
    connections.close_all()  # never share the parent's socket
    try:
        appointment = Appointment.objects.select_related("session").get(pk=appointment_id)
        actions.cancel_appointment(appointment, by="staff", reason="another process")
        queue.put("cancelled")
    finally:
        connections.close_all()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_place_given_back_in_another_process_is_offered_at_once(
    client, hospital, session, alice_self, alice_mother
):
    """The window's one place is taken; this process is told "sold out"; another process gives
    the place back; this process's next request books it, with no wait."""
    key = make_client(hospital, "window", "窗口")
    body = {"session_id": session.pk, "patient": {"patient_id": alice_mother.pk}}
    first = _api_booking(client, key, session, alice_self)
    r = call(client, "post", "/booking/appointments", key, body)
    assert r.status_code == 409 and r.json()["code"] == "sold_out"
    first_pk = Appointment.objects.get(public_id=first["id"]).pk
    connections.close_all()  # the child must not inherit an open connection
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    other = ctx.Process(target=_cancel_in_another_process, args=(queue, first_pk))
    other.start()
    assert queue.get(timeout=BARRIER_TIMEOUT) == "cancelled"
    other.join(BARRIER_TIMEOUT)
    assert other.exitcode == 0
    r = call(client, "post", "/booking/appointments", key, body)
    assert r.status_code == 201, r.content.decode()
    assert Appointment.objects.get(status="booked").patient == alice_mother
