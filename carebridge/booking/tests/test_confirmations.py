"""The booking confirmation: the booking queues one outbox row, the worker writes the template
message from it, once, however often the row runs."""

import pytest

from carebridge.booking.actions import send_booking_confirmation
from carebridge.booking.errors import AlreadyBooked
from carebridge.booking.models import BookingPolicy
from carebridge.booking.notify import CONFIRMATION_TOPIC
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.models import TemplateSend

from .helpers import WECHAT, before_visit, book, write_confirmations

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(hospital, session, alice, alice_self):
    BookingPolicy.objects.create(institution=hospital, tpl_booking_confirmed="TPL_BOOKED")
    return book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))


def test_the_booking_queues_one_row_and_writes_no_message_itself(booked):
    [row] = OutboxMessage.objects.all()
    assert (row.topic, row.payload) == (CONFIRMATION_TOPIC, {"appointment_id": booked.pk})
    assert not TemplateSend.objects.exists()


def test_the_worker_writes_the_confirmation_with_its_delivery_queued(booked, alice):
    assert worker.run_once() == 1
    [message] = TemplateSend.objects.all()
    assert (message.openid, message.template_id) == (alice.openid, "TPL_BOOKED")
    assert OutboxMessage.objects.get(topic=CONFIRMATION_TOPIC).status == "sent"
    assert OutboxMessage.objects.filter(topic="wechat.template", status="pending").count() == 1
    booked.refresh_from_db()
    assert booked.confirmation_sent_at is not None


def test_a_row_run_again_after_a_crash_sends_nothing_more(booked):
    assert write_confirmations() == 1
    # A worker that died after committing the message but before marking its row done: the
    # row's lease runs out and it is run again.
    row = OutboxMessage.objects.get(topic=CONFIRMATION_TOPIC)
    OutboxMessage.objects.filter(pk=row.pk).update(status="pending", claimed_at=None)
    assert write_confirmations() == 1
    assert TemplateSend.objects.count() == 1
    assert OutboxMessage.objects.filter(topic="wechat.template").count() == 1
    assert send_booking_confirmation(booked.pk) is False


def test_a_refused_booking_queues_nothing(booked, session, alice, alice_self):
    with pytest.raises(AlreadyBooked):
        book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC).count() == 1
