"""Confirmations written together: at release time the worker takes the rows the bookings queued
in batches, and each appointment still gets its message once, whatever fails around it."""

import logging
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.booking.actions import (
    cancel_appointment,
    send_booking_confirmations,
)
from carebridge.booking.models import Appointment, BookingPolicy
from carebridge.booking.notify import CONFIRMATION_TOPIC
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.patients.tests import factories
from carebridge.tests.threads import run_together
from carebridge.wechat import limits
from carebridge.wechat.actions import messaging
from carebridge.wechat.models import ApiQuota, TemplateSend

from .helpers import WECHAT, before_visit, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(hospital):
    return BookingPolicy.objects.create(institution=hospital, tpl_booking_confirmed="TPL_BOOKED")


@pytest.fixture
def booked(policy, session, alice, alice_self, alice_mother, bob, bob_self):
    """alice books herself and her mother on WeChat; bob is booked at the window."""
    now = before_visit(session)
    return [
        book(alice_self, session, WECHAT, booked_by=alice, now=now),
        book(alice_mother, session, WECHAT, booked_by=alice, now=now),
        book(bob_self, session, "window", now=now),
    ]


def confirmation_rows():
    return OutboxMessage.objects.filter(topic=CONFIRMATION_TOPIC).order_by("id")


def outcomes():
    return [row.response for row in confirmation_rows()]


def sends_by_appointment():
    return {int(s.url.rstrip("/").rsplit("/", 1)[1]): s for s in TemplateSend.objects.all()}


def test_one_pass_writes_every_confirmation_with_its_own_delivery_row(booked, account, alice, bob):
    assert worker.run_once() == 3
    assert outcomes() == [{"confirmation": "written"}] * 3
    sends = sends_by_appointment()
    assert sorted(sends) == sorted(a.pk for a in booked)
    assert [sends[a.pk].openid for a in booked] == [alice.openid, alice.openid, bob.openid]
    assert [sends[a.pk].data["keyword1"]["value"] for a in booked] == ["王小红", "李秀英", "赵大勇"]
    deliveries = OutboxMessage.objects.filter(topic="wechat.template", status="pending")
    assert sorted(row.payload["send_id"] for row in deliveries) == sorted(
        s.pk for s in sends.values()
    )
    for row in deliveries:
        # WeChat's dedup id is the delivery row's, as send_template sets it.
        assert TemplateSend.objects.get(pk=row.payload["send_id"]).client_msg_id == (
            messaging.outbox_dedup_id(row)
        )
    assert limits.remaining(account, "template_send") == 100_000 - 3
    assert Appointment.objects.filter(confirmation_sent_at=None).count() == 0


def test_a_batch_costs_the_same_statements_as_one_confirmation(booked, account):
    period = limits.QUOTAS["template_send"].period_key()
    # The day's quota row exists: the first send of the day creates it, a few statements more.
    ApiQuota.objects.create(account=account, name="template_send", period=period)
    first, *others = booked
    with CaptureQueriesContext(connection) as one:
        send_booking_confirmations([first.pk])
    with CaptureQueriesContext(connection) as two:
        send_booking_confirmations([a.pk for a in others])
    assert len(two) == len(one)


def test_a_batch_run_again_writes_nothing_more(booked):
    ids = [a.pk for a in booked]
    assert set(send_booking_confirmations(ids).values()) == {"written"}
    assert set(send_booking_confirmations(ids).values()) == {"written before"}
    # A worker that died after committing the messages but before marking the rows done: their
    # lease runs out and they are run again.
    confirmation_rows().update(status=OutboxStatus.PENDING, claimed_at=None)
    assert worker.run_once(limit=3) == 3  # the confirmation rows: the first three
    assert outcomes() == [{"confirmation": "written before"}] * 3
    assert TemplateSend.objects.count() == 3
    assert OutboxMessage.objects.filter(topic="wechat.template").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_write_each_confirmation_once(booked):
    ids = [a.pk for a in booked]
    results = run_together(send_booking_confirmations, [(ids,), (ids,)])
    assert sorted(list(r.values()) for r in results) == [
        ["written"] * 3,
        ["written before"] * 3,
    ]
    assert sorted(sends_by_appointment()) == sorted(ids)
    assert TemplateSend.objects.count() == 3


def test_a_crash_part_way_writes_nothing_and_the_rows_are_retried(booked, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(messaging, "enqueue_many", fail)
    assert worker.run_once() == 3
    assert not TemplateSend.objects.exists()
    assert not OutboxMessage.objects.filter(topic="wechat.template").exists()
    assert Appointment.objects.filter(confirmation_sent_at=None).count() == 3
    assert not ApiQuota.objects.filter(name="template_send", used__gt=0).exists()
    for row in confirmation_rows():
        assert row.status == OutboxStatus.PENDING and "RuntimeError" in row.last_error
        assert row.available_at > timezone.now()

    monkeypatch.undo()
    confirmation_rows().update(available_at=timezone.now())
    assert worker.run_once() == 3
    assert outcomes() == [{"confirmation": "written"}] * 3
    assert sorted(sends_by_appointment()) == sorted(a.pk for a in booked)


def test_the_days_last_template_goes_to_the_first_and_the_rest_are_logged(booked, account, caplog):
    period = limits.QUOTAS["template_send"].period_key()
    ApiQuota.objects.create(account=account, name="template_send", period=period, used=99_999)
    with caplog.at_level(logging.WARNING, logger="carebridge.booking"):
        assert worker.run_once() == 3
    assert outcomes() == [
        {"confirmation": "written"},
        {"confirmation": "refused: template_send"},
        {"confirmation": "refused: template_send"},
    ]
    assert list(sends_by_appointment()) == [booked[0].pk]
    refused = [r.getMessage() for r in caplog.records if "not sent" in r.getMessage()]
    assert len(refused) == 2
    assert all("每天 10 万条" in message for message in refused)
    assert limits.remaining(account, "template_send") == 0


def test_an_appointment_cancelled_before_its_turn_gets_no_booked_message(booked):
    cancel_appointment(booked[1], now=before_visit(booked[1].session))
    assert worker.run_once() == 3
    assert outcomes() == [
        {"confirmation": "written"},
        {"confirmation": "cancelled"},
        {"confirmation": "written"},
    ]
    assert sorted(sends_by_appointment()) == sorted([booked[0].pk, booked[2].pk])


def test_a_walk_in_or_a_broken_follower_does_not_hold_up_the_others(
    booked, session, account, caplog
):
    """A walk-in has no WeChat account to tell; a follower row without an openid is refused by
    send_template's checks. Neither stops the rest of the batch."""
    walk_in = booked[2]  # bob at the window took its place: cancel him to make room
    cancel_appointment(walk_in, by="staff", now=before_visit(session))
    walk_in = book(
        None, session, "window", walk_in_name="张三", person_key="w", now=before_visit(session)
    )
    broken = factories.follower(account, "")
    born = date(1977, 5, 6)
    broken_patient = factories.patient(
        broken, name="钱多多", birth_date=born, id_number=factories.resident_id(born, seq=77)
    )
    broken_booking = book(broken_patient, session, "kiosk", now=before_visit(session))
    ids = [booked[0].pk, walk_in.pk, broken_booking.pk, booked[1].pk]
    with caplog.at_level(logging.WARNING, logger="carebridge.booking"):
        result = send_booking_confirmations(ids)
    assert result == {
        booked[0].pk: "written",
        walk_in.pk: "nothing to send",
        broken_booking.pk: "refused: openid",
        booked[1].pk: "written",
    }
    assert sorted(sends_by_appointment()) == sorted([booked[0].pk, booked[1].pk])
    assert f"appointment {broken_booking.pk} not sent" in caplog.text
    assert limits.remaining(account, "template_send") == 100_000 - 2


def test_an_account_that_may_not_send_templates_refuses_every_message(booked, account, caplog):
    account.verified = False
    account.save(update_fields=["verified"])
    with caplog.at_level(logging.WARNING, logger="carebridge.booking"):
        assert worker.run_once() == 3
    assert outcomes() == [{"confirmation": "refused: not_verified_service"}] * 3
    assert not TemplateSend.objects.exists()
    assert caplog.text.count("只有已认证的服务号可以发送模板消息") == 3
