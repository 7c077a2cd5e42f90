"""The headline of issue 11: WeChat (the sandbox, on a server of its own) goes down for 30
simulated minutes, far longer than the old retry span (8 tries, about 4 minutes), while patients
go on booking; when it comes back, every booking's confirmation reaches the patient's phone
exactly once, by itself, and each patient's messages arrive in the order they were written.
Time is simulated (``clock``): nothing sleeps."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from carebridge.booking.actions import cancel_appointment
from carebridge.booking.models import BookingPolicy
from carebridge.booking.tests.helpers import WECHAT, before_visit, book, make_session
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.patients.tests import factories
from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxMessage
from carebridge.sandbox.tests.server import SandboxServer
from carebridge.wechat.models import TemplateSend
from carebridge.wechat.tests.outgoing_helpers import phone_user, wait_until

OUTAGE_MINUTES = 30
BEFORE, DURING = 5, 40  # bookings before the outage and during it
CANCELLED_DURING = 3  # of the bookings during the outage, cancelled during it too


def drain() -> int:
    """Run the worker until nothing is due (what `carebridge worker` does between its sleeps)."""
    done = 0
    while n := worker.run_once():
        done += n
    return done


@pytest.fixture
def clinic(hospital, account):
    BookingPolicy.objects.create(
        institution=hospital, tpl_booking_confirmed="TPL_BOOKED", tpl_booking_cancelled="TPL_CANCEL"
    )
    campus = hospital.campuses.create(name="总院", address="同普路", latitude=31, longitude=121)
    department = hospital.departments.create(campus=campus, name="心内科")
    doctor = hospital.doctors.create(name="王建国", title="主任医师")
    doctor.departments.add(department)
    day = timezone.localdate() + timedelta(days=1)
    capacity = BEFORE + DURING + 2
    return make_session(
        hospital,
        department,
        doctor,
        day,
        capacity=capacity,
        quota_wechat=capacity - 2,
        quota_window=1,
        quota_kiosk=1,
    )


def patients(account, n: int, first: int = 0):
    """``n`` WeChat users, each following the account (on both sides) with one patient."""
    made = []
    for i in range(first, first + n):
        openid = f"o_patient_{i:018d}"
        phone_user(account, openid)
        follower = factories.follower(account, openid)
        born = date(1960, 1, 1) + timedelta(days=97 * i)
        made.append(
            factories.patient(follower, name=f"病人{i}", id_number=factories.resident_id(born))
        )
    return made


def confirmations_on_phones(appointments) -> dict[int, int]:
    """How many "booked" messages the sandbox delivered for each appointment."""
    received = SandboxMessage.objects.filter(kind="template", body__template_id="TPL_BOOKED")
    urls = [m.body["url"] for m in received]
    return {a.pk: sum(u.endswith(f"/appointments/{a.pk}/") for u in urls) for a in appointments}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_confirmation_arrives_once_after_an_outage_longer_than_the_old_retry_span(
    live_server, account, clinic, settings, clock
):
    settings.SITE_URL = live_server.url  # CareBridge (and its callback) stays up throughout
    settings.WECHAT_BUSY_BACKOFF = []
    booked = []
    with SandboxServer() as wechat:
        settings.WECHAT_API_BASE = wechat.api_base
        for patient in patients(account, BEFORE):
            booked.append(
                book(patient, clinic, WECHAT, booked_by=patient.owner, now=before_visit(clinic))
            )
        drain()
        assert sum(confirmations_on_phones(booked).values()) == BEFORE

        wechat.stop()
        during = patients(account, DURING, first=BEFORE)
        per_minute = -(-DURING // (OUTAGE_MINUTES // 2))  # bookings in the first half hour's half
        cancelled = []
        for minute in range(OUTAGE_MINUTES):
            for patient in during[minute * per_minute : (minute + 1) * per_minute]:
                booked.append(
                    book(patient, clinic, WECHAT, booked_by=patient.owner, now=before_visit(clinic))
                )
            if minute == OUTAGE_MINUTES // 2:  # some change their minds, WeChat still down
                for appointment in booked[BEFORE : BEFORE + CANCELLED_DURING]:
                    cancel_appointment(appointment, now=before_visit(clinic))
                    cancelled.append(appointment)
            drain()
            clock.advance(minutes=1)
        assert len(booked) == BEFORE + DURING
        assert sum(confirmations_on_phones(booked).values()) == BEFORE  # nothing got through
        waiting = OutboxMessage.objects.filter(topic="wechat.template", status="pending")
        assert waiting.count() == DURING + CANCELLED_DURING
        assert not OutboxMessage.objects.filter(status=OutboxStatus.FAILED).exists()
        assert max(waiting.values_list("attempts", flat=True)) > 8  # past the old limit

        wechat.start()
        back_at = timezone.now()
        while waiting.exists():  # nobody presses "retry": the worker finds WeChat back
            clock.advance(minutes=1)
            drain()
            assert timezone.now() - back_at <= timedelta(minutes=11)
        recovered_in = timezone.now() - back_at
        wxapi.wait_for_reports()

    on_phones = confirmations_on_phones(booked)
    sent = sum(1 for n in on_phones.values() if n)
    lost = sum(1 for n in on_phones.values() if n == 0)
    duplicated = sum(n - 1 for n in on_phones.values() if n > 1)
    print(
        f"\noutage of {OUTAGE_MINUTES} simulated minutes, {len(booked)} bookings: confirmations "
        f"sent {sent}, lost {lost}, duplicated {duplicated}; the backlog went out "
        f"{recovered_in.total_seconds() / 60:.0f} simulated minute(s) after WeChat came back"
    )
    assert (sent, lost, duplicated) == (BEFORE + DURING, 0, 0)
    # Each patient's messages in the order written: "booked", then "cancelled".
    for appointment in cancelled:
        openid = appointment.patient.owner.openid
        received = SandboxMessage.objects.filter(openid=openid, kind="template").order_by("id")
        assert [m.body["template_id"] for m in received] == ["TPL_BOOKED", "TPL_CANCEL"]
    # And WeChat's delivery report of each reached its send, however early it came.
    wait_until(
        lambda: (
            clock.advance(seconds=10)
            or drain() * 0
            or not TemplateSend.objects.exclude(delivery="success").exists()
        ),
        what="every delivery report applied",
    )
