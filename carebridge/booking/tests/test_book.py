from datetime import timedelta

import pytest

from carebridge.booking.actions import cancel_appointment, mark_no_show
from carebridge.booking.errors import (
    AccountSuspended,
    AlreadyBooked,
    CancelTooLate,
    LimitReached,
    NotFound,
    NotReleased,
    PatientNotFound,
    SessionClosed,
    SlotTaken,
    SoldOut,
    WrongState,
)
from carebridge.booking.models import (
    Appointment,
    AppointmentStatus,
    BookingBan,
    BookingPolicy,
    ClinicSession,
    PaymentStatus,
    SessionQuota,
    SessionStatus,
    Slot,
)
from carebridge.patients.tests import factories

from .helpers import WECHAT, before_visit, book, make_session

pytestmark = pytest.mark.django_db


def counters(session):
    return (
        {s.number: s.booked for s in session.slots.all()},
        {p.channel: p.booked for p in session.pools.all()},
    )


def test_booking_takes_the_first_free_slot_and_one_wechat_place(session, alice, alice_self):
    a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert (a.queue_number, a.status, a.fee, a.channel) == (1, "booked", 1400, "wechat")
    assert a.person_key == alice_self.id_number_hash
    slots, pools = counters(session)
    assert slots == {1: 1, 2: 0, 3: 0, 4: 0}
    assert pools["wechat"] == 1 and pools["window"] == 0


def test_a_chosen_slot_is_taken_and_cannot_be_taken_twice(
    session, alice, alice_self, bob, bob_self
):
    third = session.slots.get(number=3)
    now = before_visit(session)
    a = book(alice_self, session, WECHAT, slot=third, booked_by=alice, now=now)
    assert a.queue_number == 3
    with pytest.raises(SlotTaken):
        book(bob_self, session, WECHAT, slot=third, booked_by=bob, now=now)
    assert Appointment.objects.count() == 1
    assert counters(session)[1]["wechat"] == 1


def test_a_slot_of_another_session_is_not_found(session, other_hospital, alice, alice_self):
    foreign = other_hospital.test_session.slots.first()
    with pytest.raises(NotFound):
        book(alice_self, session, WECHAT, slot=foreign, booked_by=alice, now=before_visit(session))


def test_the_wechat_pool_sells_out_while_window_places_remain(
    session, alice, alice_self, alice_mother, bob, bob_self
):
    now = before_visit(session)
    book(alice_self, session, WECHAT, booked_by=alice, now=now)
    book(alice_mother, session, WECHAT, booked_by=alice, now=now)
    with pytest.raises(SoldOut, match="微信渠道的号源已约满"):
        book(bob_self, session, WECHAT, booked_by=bob, now=now)
    slots, pools = counters(session)
    assert sum(slots.values()) == 2 and pools["wechat"] == 2
    walk_in = book(None, session, "window", walk_in_name="张三", person_key="walkin-1", now=now)
    assert walk_in.queue_number == 3


def test_a_full_session_is_sold_out_for_every_channel(
    hospital, cardiology, dr_wang, tomorrow, alice, alice_self, bob, bob_self
):
    one = make_session(
        hospital,
        cardiology,
        dr_wang,
        tomorrow,
        capacity=1,
        quota_wechat=0,
        quota_window=1,
        period="evening",
    )
    now = before_visit(one)
    book(None, one, "window", walk_in_name="张三", person_key="w1", now=now)
    with pytest.raises(SoldOut):
        book(None, one, "window", walk_in_name="李四", person_key="w2", now=now)


def test_the_same_patient_cannot_hold_two_places_in_one_session(session, alice, alice_self):
    now = before_visit(session)
    book(alice_self, session, WECHAT, booked_by=alice, now=now)
    with pytest.raises(AlreadyBooked):
        book(alice_self, session, WECHAT, booked_by=alice, now=now)
    assert counters(session)[1]["wechat"] == 1


def test_the_same_person_added_by_two_accounts_is_still_one_person(session, alice, alice_self, bob):
    twin = factories.patient(bob, name="王小红", id_number=alice_self.id_number)
    now = before_visit(session)
    book(alice_self, session, WECHAT, booked_by=alice, now=now)
    with pytest.raises(AlreadyBooked):
        book(twin, session, "kiosk", now=now)


def test_booking_before_release_is_refused_and_opens_at_the_release_time(
    session, alice, alice_self
):
    released = session.released_at(BookingPolicy.for_institution(session.institution))
    with pytest.raises(NotReleased):
        book(alice_self, session, WECHAT, booked_by=alice, now=released - timedelta(seconds=1))
    assert not Appointment.objects.exists()
    assert book(alice_self, session, WECHAT, booked_by=alice, now=released)


def test_a_suspended_or_finished_session_cannot_be_booked(session, alice, alice_self):
    with pytest.raises(SessionClosed):
        book(alice_self, session, WECHAT, booked_by=alice, now=session.ends_at)
    session.status = SessionStatus.SUSPENDED
    session.save(update_fields=["status"])
    with pytest.raises(SessionClosed):
        book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))


def test_a_session_suspended_after_it_was_read_is_refused_at_the_claim(session, alice, alice_self):
    """The booking read the session while it was open; the suspension committed before the
    claim: refused, and the slot it had taken is given back with the rest of the transaction."""
    ClinicSession.objects.filter(pk=session.pk).update(status=SessionStatus.SUSPENDED)
    assert session.status == SessionStatus.OPEN  # what the booking read
    with pytest.raises(SessionClosed):
        book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert not Appointment.objects.exists()
    assert not Slot.objects.filter(session=session, booked__gt=0).exists()
    assert not SessionQuota.objects.filter(session=session, booked__gt=0).exists()


def test_slots_whose_time_has_passed_are_not_offered(session, alice, alice_self):
    a = book(
        alice_self,
        session,
        WECHAT,
        booked_by=alice,
        now=session.starts_at + timedelta(hours=2, minutes=30),
    )
    assert a.queue_number == 3


def test_a_patient_of_another_institution_is_not_found(other_hospital, alice, alice_self):
    with pytest.raises(PatientNotFound):
        book(
            alice_self,
            other_hospital.test_session,
            WECHAT,
            booked_by=alice,
            now=before_visit(other_hospital.test_session),
        )


def many_sessions(hospital, cardiology, day, n):
    doctors = []
    for i in range(n):
        d = hospital.doctors.create(name=f"医生{i}", title="主治医师")
        d.departments.add(cardiology)
        doctors.append(make_session(hospital, cardiology, d, day))
    return doctors


def test_a_patient_is_limited_per_day(hospital, cardiology, tomorrow, alice, alice_self):
    BookingPolicy.objects.create(institution=hospital, patient_daily_limit=2)
    sessions = many_sessions(hospital, cardiology, tomorrow, 3)
    now = before_visit(sessions[0])
    for s in sessions[:2]:
        book(alice_self, s, WECHAT, booked_by=alice, now=now)
    with pytest.raises(LimitReached, match="当天预约已达上限"):
        book(alice_self, sessions[2], WECHAT, booked_by=alice, now=now)
    assert counters(sessions[2])[1]["wechat"] == 0


def test_cancelled_appointments_do_not_count_against_limits(
    hospital, cardiology, tomorrow, alice, alice_self
):
    BookingPolicy.objects.create(institution=hospital, patient_daily_limit=1)
    first, second = many_sessions(hospital, cardiology, tomorrow, 2)
    now = before_visit(first)
    a = book(alice_self, first, WECHAT, booked_by=alice, now=now)
    cancel_appointment(a, now=now)
    assert book(alice_self, second, WECHAT, booked_by=alice, now=now)


def test_an_account_is_limited_per_week_across_its_patients(
    hospital, cardiology, alice, alice_self, alice_mother
):
    BookingPolicy.objects.create(
        institution=hospital, account_weekly_limit=2, release_days_ahead=14
    )
    # Two days of the same ISO week, at least a day ahead.
    from django.utils import timezone

    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    d1, d2 = monday, monday + timedelta(days=1)
    s1, s2 = many_sessions(hospital, cardiology, d1, 2)
    (s3,) = many_sessions(hospital, cardiology, d2, 1)
    now = before_visit(s1, hours=48)
    book(alice_self, s1, WECHAT, booked_by=alice, now=now)
    book(alice_mother, s2, WECHAT, booked_by=alice, now=now)
    with pytest.raises(LimitReached, match="账号本周预约已达上限"):
        book(alice_mother, s3, WECHAT, booked_by=alice, now=now)


def test_cancelling_returns_the_slot_and_the_channel_place_and_keeps_history(
    session, alice, alice_self
):
    now = before_visit(session)
    a = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    cancel_appointment(a, now=now)
    a.refresh_from_db()
    assert (a.status, a.cancelled_by, a.cancelled_at) == ("cancelled", "patient", now)
    slots, pools = counters(session)
    assert sum(slots.values()) == 0 and pools["wechat"] == 0
    again = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    assert again.queue_number == 1 and Appointment.objects.count() == 2


def test_cancelling_twice_returns_the_place_once(session, alice, alice_self, bob, bob_self):
    now = before_visit(session)
    a = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    book(bob_self, session, WECHAT, booked_by=bob, now=now)
    cancel_appointment(a, now=now)
    with pytest.raises(WrongState):
        cancel_appointment(a, now=now)
    assert counters(session)[1]["wechat"] == 1


def test_cancelling_after_the_deadline_is_refused(session, alice, alice_self):
    a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    deadline = session.cancel_deadline(BookingPolicy.for_institution(session.institution))
    with pytest.raises(CancelTooLate):
        cancel_appointment(a, now=deadline + timedelta(seconds=1))
    a.refresh_from_db()
    assert a.status == "booked" and counters(session)[1]["wechat"] == 1
    cancel_appointment(a, now=deadline)


def test_a_paid_fee_becomes_refund_due_on_cancellation(session, alice, alice_self):
    now = before_visit(session)
    a = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    Appointment.objects.filter(pk=a.pk).update(payment_status=PaymentStatus.PAID)
    a.refresh_from_db()
    assert cancel_appointment(a, now=now).payment_status == PaymentStatus.REFUND_DUE


def test_an_unpaid_cancellation_owes_no_refund(session, alice, alice_self):
    now = before_visit(session)
    a = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    assert cancel_appointment(a, now=now).payment_status == PaymentStatus.UNPAID


def test_n_no_shows_in_m_days_suspend_online_booking(
    hospital, cardiology, dr_wang, alice, alice_self, alice_mother, session
):
    BookingPolicy.objects.create(
        institution=hospital, no_show_limit=2, no_show_window_days=30, no_show_ban_days=14
    )
    now = before_visit(session)
    a1 = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    a2 = book(alice_mother, session, WECHAT, booked_by=alice, now=now)
    after = session.ends_at
    assert mark_no_show(a1, now=after) is None
    ban = mark_no_show(a2, now=after)
    assert ban is not None and ban.no_shows == 2
    assert ban.ends_at == after + timedelta(days=14)
    later = make_session(hospital, cardiology, dr_wang, session.date + timedelta(days=1))
    with pytest.raises(AccountSuspended, match="2 次爽约"):
        book(alice_self, later, WECHAT, booked_by=alice, now=after)
    # The window may still book the patient in person.
    assert book(alice_self, later, "window", now=after)
    # After the ban, online booking opens again and old no-shows do not ban twice.
    after_ban = make_session(hospital, cardiology, dr_wang, session.date + timedelta(days=15))
    assert book(
        alice_mother, after_ban, WECHAT, booked_by=alice, now=ban.ends_at + timedelta(seconds=1)
    )
    assert BookingBan.objects.count() == 1


def test_a_no_show_cannot_be_recorded_before_the_slot_or_twice(session, alice, alice_self):
    a = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    with pytest.raises(WrongState):
        mark_no_show(a, now=a.slot.starts_at - timedelta(seconds=1))
    mark_no_show(a, now=session.ends_at)
    with pytest.raises(WrongState):
        mark_no_show(a, now=session.ends_at)
    assert Appointment.objects.get().status == AppointmentStatus.NO_SHOW


def test_a_childrens_hospital_refuses_a_child_who_is_18_on_the_day_of_the_visit(
    session, alice, hospital
):
    from carebridge.booking.errors import NotEligible
    from carebridge.patients.models import PatientPolicy

    PatientPolicy.objects.create(
        institution=hospital, max_age=18, accepted_id_types=["social_security"]
    )
    # Added at 17 (the rules held then); 18 from the day of the visit.
    born = session.date.replace(year=session.date.year - 18)
    child = factories.patient(
        alice,
        name="王小宝",
        relation="child",
        birth_date=born,
        id_type="social_security",
        id_number=factories.resident_id(born, seq=88),
    )
    with pytest.raises(NotEligible, match="未满18周岁"):
        book(child, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert not Appointment.objects.exists() and counters(session)[1]["wechat"] == 0
    younger = factories.patient(
        alice,
        name="王小妹",
        relation="child",
        birth_date=born + timedelta(days=1),
        id_type="social_security",
        id_number=factories.resident_id(born + timedelta(days=1), seq=89),
    )
    assert book(younger, session, WECHAT, booked_by=alice, now=before_visit(session))


def test_a_document_the_institution_no_longer_accepts_is_refused_at_booking(
    session, alice, alice_self, hospital
):
    from carebridge.booking.errors import NotEligible
    from carebridge.patients.models import PatientPolicy

    PatientPolicy.objects.create(institution=hospital, accepted_id_types=["social_security"])
    with pytest.raises(NotEligible, match="不接受该证件类型") as refusal:
        book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert (refusal.value.code, refusal.value.status) == ("not_eligible", 403)
    assert not Appointment.objects.exists()


def test_a_patient_is_limited_per_week_whichever_account_books(
    hospital, cardiology, alice, alice_self, bob
):
    from django.utils import timezone

    BookingPolicy.objects.create(
        institution=hospital, patient_weekly_limit=2, patient_daily_limit=5, release_days_ahead=14
    )
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    (s1,) = many_sessions(hospital, cardiology, monday, 1)
    (s2,) = many_sessions(hospital, cardiology, monday + timedelta(days=2), 1)
    (s3,) = many_sessions(hospital, cardiology, monday + timedelta(days=4), 1)
    now = before_visit(s1, hours=48)
    twin = factories.patient(bob, name="王小红", id_number=alice_self.id_number)  # same person
    book(alice_self, s1, WECHAT, booked_by=alice, now=now)
    book(twin, s2, WECHAT, booked_by=bob, now=now)
    with pytest.raises(LimitReached, match="该就诊人本周预约已达上限"):
        book(alice_self, s3, WECHAT, booked_by=alice, now=now)
    assert counters(s3)[1]["wechat"] == 0
    # The next week is a new week.
    (later,) = many_sessions(hospital, cardiology, monday + timedelta(days=7), 1)
    assert book(alice_self, later, WECHAT, booked_by=alice, now=now)


def test_an_account_is_limited_per_day_across_its_patients(
    hospital, cardiology, tomorrow, alice, alice_self, alice_mother
):
    BookingPolicy.objects.create(institution=hospital, account_daily_limit=1)
    first, second = many_sessions(hospital, cardiology, tomorrow, 2)
    now = before_visit(first)
    book(alice_self, first, WECHAT, booked_by=alice, now=now)
    with pytest.raises(LimitReached, match="您的账号当天预约已达上限"):
        book(alice_mother, second, WECHAT, booked_by=alice, now=now)
    # The limits are the account's online ones: the window may still book her mother.
    assert book(alice_mother, second, "window", now=now)


def test_a_patient_booked_at_the_window_is_limited_too_and_nothing_is_taken(
    hospital, cardiology, tomorrow, alice_self
):
    """Without a WeChat account (window, kiosk, phone centre) only the person's limits apply;
    the claim that checks them takes nothing when one is reached, whichever slot was asked."""
    BookingPolicy.objects.create(institution=hospital, patient_daily_limit=1)
    first, second = many_sessions(hospital, cardiology, tomorrow, 2)
    now = before_visit(first)
    book(alice_self, first, "window", now=now)
    with pytest.raises(LimitReached, match="该就诊人当天预约已达上限"):
        book(alice_self, second, "window", now=now)
    with pytest.raises(LimitReached, match="该就诊人当天预约已达上限"):
        book(alice_self, second, "window", slot=second.slots.last(), now=now)
    slots, pools = counters(second)
    assert not any(slots.values()) and not any(pools.values())
    with pytest.raises(AlreadyBooked):
        book(alice_self, first, "kiosk", now=now)
