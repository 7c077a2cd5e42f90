from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from carebridge.booking.actions import create_session, generate_sessions
from carebridge.booking.errors import NotReleased
from carebridge.booking.models import BookingPolicy, ClinicSession, ClosedDay, ScheduleTemplate

from .helpers import at

pytestmark = pytest.mark.django_db


def test_a_session_gets_numbered_slots_over_its_hours_and_one_pool_per_channel(session):
    slots = list(session.slots.order_by("number"))
    assert [s.number for s in slots] == [1, 2, 3, 4]
    assert slots[0].window_label == "08:00–09:00"
    assert slots[3].window_label == "11:00–12:00"
    pools = {p.channel: p.capacity for p in session.pools.all()}
    assert pools == {"wechat": 2, "window": 1, "kiosk": 1, "phone": 0, "referral": 0}


def test_a_big_clinic_shares_five_minute_windows_between_numbers(hospital, cardiology, tomorrow):
    big = create_session(
        institution=hospital,
        department=cardiology,
        doctor=None,
        date=tomorrow,
        period="afternoon",
        start_time=time(13, 30),
        end_time=time(17, 0),
        fee=1000,
        capacity=300,
        quota_wechat=200,
        quota_window=100,
    )
    slots = list(big.slots.order_by("number"))
    assert len(slots) == 300
    assert all((s.ends_at - s.starts_at) == timedelta(minutes=5) for s in slots)
    assert slots[-1].ends_at == big.ends_at


def test_quotas_must_add_up_to_capacity(hospital, cardiology, dr_wang, tomorrow):
    with pytest.raises(ValidationError, match="必须等于号源总数"):
        create_session(
            institution=hospital,
            department=cardiology,
            doctor=dr_wang,
            date=tomorrow,
            period="morning",
            start_time=time(8),
            end_time=time(12),
            fee=1400,
            capacity=10,
            quota_wechat=5,
            quota_window=4,
        )
    assert not ClinicSession.objects.exists()


def test_a_session_must_end_after_it_starts(hospital, cardiology, dr_wang, tomorrow):
    with pytest.raises(ValidationError, match="结束时间必须晚于开始时间"):
        create_session(
            institution=hospital,
            department=cardiology,
            doctor=dr_wang,
            date=tomorrow,
            period="morning",
            start_time=time(12),
            end_time=time(8),
            fee=1400,
            capacity=1,
            quota_wechat=1,
        )


def test_a_doctor_of_another_institution_is_refused(hospital, cardiology, other_hospital, tomorrow):
    stranger = other_hospital.doctors.get()
    with pytest.raises(ValidationError, match="医生不属于该机构"):
        create_session(
            institution=hospital,
            department=cardiology,
            doctor=stranger,
            date=tomorrow,
            period="evening",
            start_time=time(18),
            end_time=time(21),
            fee=1400,
            capacity=1,
            quota_wechat=1,
        )


def template(hospital, cardiology, dr_wang, weekday, **extra):
    fields = dict(
        institution=hospital,
        department=cardiology,
        doctor=dr_wang,
        weekday=weekday,
        period="morning",
        start_time=time(8),
        end_time=time(11, 30),
        fee=5000,
        capacity=30,
        quota_wechat=20,
        quota_window=6,
        quota_kiosk=2,
        quota_phone=1,
        quota_referral=1,
        weeks_ahead=4,
    )
    fields.update(extra)
    return ScheduleTemplate.objects.create(**fields)


def test_templates_generate_weeks_ahead_skipping_statutory_holidays(hospital, cardiology, dr_wang):
    # Thursdays from 2026-09-17: 1 October 2026 is National Day, 8 October is a working day.
    template(hospital, cardiology, dr_wang, weekday=3)
    created = generate_sessions(today=date(2026, 9, 17))
    assert [s.date for s in created] == [date(2026, 9, 17), date(2026, 9, 24), date(2026, 10, 8)]
    assert all(s.slots.count() == 30 and s.fee == 5000 for s in created)
    assert created[0].pools.get(channel="referral").capacity == 1


def test_generating_again_creates_nothing_new(hospital, cardiology, dr_wang):
    template(hospital, cardiology, dr_wang, weekday=3)
    assert len(generate_sessions(today=date(2026, 9, 17))) == 3
    assert generate_sessions(today=date(2026, 9, 17)) == []
    assert ClinicSession.objects.count() == 3


def test_closed_days_and_validity_dates_are_respected(hospital, cardiology, dr_wang):
    template(hospital, cardiology, dr_wang, weekday=3, valid_until=date(2026, 10, 8))
    ClosedDay.objects.create(institution=hospital, date=date(2026, 9, 24), reason="院庆")
    created = generate_sessions(today=date(2026, 9, 17))
    assert [s.date for s in created] == [date(2026, 9, 17), date(2026, 10, 8)]


def test_years_without_holiday_data_still_generate(hospital, cardiology, dr_wang):
    template(hospital, cardiology, dr_wang, weekday=4, weeks_ahead=1)
    created = generate_sessions(today=date(2031, 1, 1))
    assert [s.date for s in created] == [date(2031, 1, 3)]


def test_nothing_can_be_booked_before_release(session):
    policy = BookingPolicy(
        institution=session.institution, release_days_ahead=7, release_time=time(7, 0)
    )
    release = at(session.date - timedelta(days=7), 7, 0)
    with pytest.raises(NotReleased, match="开放预约"):
        session.check_bookable(policy, release - timedelta(microseconds=1))
    session.check_bookable(policy, release)  # open at the release instant
