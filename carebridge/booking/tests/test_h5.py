from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.booking.actions import (
    cancel_appointment,
    check_in,
    set_quotas,
    suspend_session,
)
from carebridge.booking.models import Appointment, SessionQuota

from .helpers import WECHAT, book, make_session

pytestmark = pytest.mark.django_db

BASE = "/h5/renai"


def wechat_booked(session):
    return SessionQuota.objects.get(session=session, channel=WECHAT).booked


def test_departments_list_only_this_institutions_departments(
    alice_client, cardiology, other_hospital
):
    page = alice_client.get(f"{BASE}/booking/").content.decode()
    assert "心内科" in page and "儿科" not in page


def test_a_department_shows_its_sessions_with_places_left(alice_client, session, cardiology):
    page = alice_client.get(f"{BASE}/booking/department/{cardiology.pk}/").content.decode()
    assert "王建国" in page and "余 2" in page


def test_another_institutions_department_and_session_are_404(alice_client, other_hospital):
    s = other_hospital.test_session
    assert alice_client.get(f"{BASE}/booking/department/{s.department_id}/").status_code == 404
    assert alice_client.get(f"{BASE}/booking/session/{s.pk}/").status_code == 404
    slot = s.slots.first()
    assert alice_client.get(f"{BASE}/booking/session/{s.pk}/slot/{slot.pk}/").status_code == 404


def test_a_session_page_lists_free_slots(alice_client, session, bob, bob_self):
    book(bob_self, session, WECHAT, booked_by=bob)
    page = alice_client.get(f"{BASE}/booking/session/{session.pk}/").content.decode()
    assert "09:00–10:00" in page and "08:00–09:00" not in page


def test_a_session_not_yet_released_says_when_it_opens(alice_client, hospital, cardiology, dr_wang):
    later = make_session(hospital, cardiology, dr_wang, timezone.localdate() + timedelta(days=9))
    page = alice_client.get(f"{BASE}/booking/session/{later.pk}/").content.decode()
    opens = later.date - timedelta(days=7)
    assert f"号源将于 {opens.year}年{opens.month}月{opens.day}日 07:00 开放预约" in page
    assert "/slot/" not in page


def test_the_confirm_page_offers_only_my_patients(alice_client, session, alice_self, bob_self):
    slot = session.slots.first()
    page = alice_client.get(f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/")
    text = page.content.decode()
    assert "王小红" in text and "赵大勇" not in text
    assert alice_self.id_number not in text


def test_booking_a_slot_confirms_and_shows_the_check_in_code(alice_client, session, alice_self):
    slot = session.slots.get(number=2)
    r = alice_client.post(
        f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/", {"patient": alice_self.pk}
    )
    a = Appointment.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{BASE}/appointments/{a.pk}/"
    assert (a.queue_number, a.channel, a.booked_by.openid) == (
        2,
        "wechat",
        "o_alice_0000000000000000000",
    )
    page = alice_client.get(r["Location"]).content.decode()
    assert "<svg" in page and "2 号" in page and "取消预约" in page


def test_booking_bobs_patient_is_a_404_and_books_nothing(alice_client, session, bob_self):
    slot = session.slots.first()
    r = alice_client.post(
        f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/", {"patient": bob_self.pk}
    )
    assert r.status_code == 404
    assert not Appointment.objects.exists() and wechat_booked(session) == 0


@pytest.mark.parametrize(
    "data, status", [({}, 400), ({"patient": "abc"}, 400), ({"patient": "99999"}, 404)]
)
def test_a_bad_patient_choice_is_refused(alice_client, session, alice_self, data, status):
    slot = session.slots.first()
    r = alice_client.post(f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/", data)
    assert r.status_code == status
    if status == 400:
        assert "请选择就诊人" in r.content.decode()
    assert not Appointment.objects.exists()


def test_a_taken_slot_is_refused_with_a_message(alice_client, session, alice_self, bob, bob_self):
    slot = session.slots.first()
    book(bob_self, session, WECHAT, slot=slot, booked_by=bob)
    r = alice_client.post(
        f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/", {"patient": alice_self.pk}
    )
    assert r.status_code == 409 and "该号源刚被他人预约" in r.content.decode()
    assert Appointment.objects.count() == 1


@pytest.fixture
def full_wechat_pool(session, bob, bob_self):
    """The session's WeChat pool cut to one place, which bob has booked."""
    pools = {p.channel: p.capacity for p in session.pools.all()}
    set_quotas(session, {**pools, WECHAT: 1, "window": pools["window"] + pools[WECHAT] - 1})
    book(bob_self, session, WECHAT, slot=session.slots.first(), booked_by=bob)


def _confirm(client, session, slot, patient):
    return client.post(
        f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/", {"patient": patient.pk}
    )


def test_a_full_wechat_pool_is_sold_out_before_the_booking_starts(
    alice_client, session, alice_self, full_wechat_pool
):
    # The slot is free (the window's places are not WeChat's): only the pool is full.
    slot = session.slots.get(number=3)
    with CaptureQueriesContext(connection) as queries:
        r = _confirm(alice_client, session, slot, alice_self)
    assert r.status_code == 409 and "微信渠道的号源已约满" in r.content.decode()
    written = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert not [sql for sql in written if "booking_" in sql]  # no claim was even tried
    assert Appointment.objects.count() == 1 and wechat_booked(session) == 1


def test_a_wechat_place_given_back_can_be_booked_at_once(
    alice_client, session, alice_self, full_wechat_pool
):
    slot = session.slots.get(number=3)
    assert _confirm(alice_client, session, slot, alice_self).status_code == 409
    cancel_appointment(Appointment.objects.get(), by="staff")
    assert _confirm(alice_client, session, slot, alice_self).status_code == 302
    assert Appointment.objects.get(status="booked").patient == alice_self


def test_a_full_pool_says_so_even_for_another_users_patient(
    alice_client, session, bob_self, full_wechat_pool
):
    r = _confirm(alice_client, session, session.slots.get(number=3), bob_self)
    assert r.status_code == 409 and "赵大勇" not in r.content.decode()
    assert Appointment.objects.count() == 1


def test_booking_twice_for_one_patient_is_refused(alice_client, session, alice_self):
    url = f"{BASE}/booking/session/{session.pk}/slot/{{}}/"
    first, second = session.slots.all()[:2]
    alice_client.post(url.format(first.pk), {"patient": alice_self.pk})
    r = alice_client.post(url.format(second.pk), {"patient": alice_self.pk})
    assert r.status_code == 409 and "不能重复预约" in r.content.decode()
    assert wechat_booked(session) == 1


def test_too_many_attempts_per_user_get_a_429(alice_client, session, alice_self, settings):
    settings.BOOKING_RATE_OPENID = "2/60"
    slot = session.slots.first()
    url = f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/"
    assert alice_client.post(url, {}).status_code == 400
    assert alice_client.post(url, {}).status_code == 400
    r = alice_client.post(url, {"patient": alice_self.pk})
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode()
    assert not Appointment.objects.exists()


def test_too_many_attempts_from_one_ip_get_a_429(
    alice_client, bob_client, session, bob_self, settings
):
    settings.BOOKING_RATE_IP = "1/60"
    slot = session.slots.first()
    url = f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/"
    alice_client.post(url, {})
    r = bob_client.post(url, {"patient": bob_self.pk})
    assert r.status_code == 429 and not Appointment.objects.exists()


def test_behind_a_proxy_patients_are_limited_by_their_own_address_not_the_proxys(
    alice_client, bob_client, session, bob_self, settings
):
    settings.BOOKING_RATE_IP = "1/60"
    settings.TRUSTED_PROXY_COUNT = 1
    slot = session.slots.first()
    url = f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/"
    alice_client.post(url, {}, headers={"x-forwarded-for": "203.0.113.7"})
    r = bob_client.post(url, {"patient": bob_self.pk}, headers={"x-forwarded-for": "198.51.100.9"})
    assert r.status_code != 429 and Appointment.objects.count() == 1
    # A spoofed leftmost entry does not make a new address.
    r = alice_client.post(url, {}, headers={"x-forwarded-for": "1.1.1.1, 203.0.113.7"})
    assert r.status_code == 429


@pytest.fixture
def alices_appointment(session, alice, alice_self):
    return book(alice_self, session, WECHAT, booked_by=alice)


def test_my_appointments_lists_mine_not_bobs(
    alice_client, session, alices_appointment, bob, bob_self
):
    book(bob_self, session, WECHAT, booked_by=bob)
    page = alice_client.get(f"{BASE}/appointments/").content.decode()
    assert "王小红" in page and "赵大勇" not in page


def test_bob_cannot_see_or_cancel_alices_appointment(bob_client, alices_appointment, bob):
    a = alices_appointment
    assert bob_client.get(f"{BASE}/appointments/{a.pk}/").status_code == 404
    assert bob_client.post(f"{BASE}/appointments/{a.pk}/cancel/").status_code == 404
    assert "王小红" not in bob_client.get(f"{BASE}/appointments/").content.decode()
    a.refresh_from_db()
    assert a.status == "booked"


def test_an_appointment_booked_for_alices_patient_at_the_window_is_hers_too(
    alice_client, session, alice_self
):
    a = book(alice_self, session, "window")
    assert alice_client.get(f"{BASE}/appointments/{a.pk}/").status_code == 200


def test_cancelling_gives_the_place_back(alice_client, session, alices_appointment):
    a = alices_appointment
    r = alice_client.post(f"{BASE}/appointments/{a.pk}/cancel/")
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "cancelled" and wechat_booked(session) == 0
    page = alice_client.get(f"{BASE}/appointments/{a.pk}/").content.decode()
    assert "已取消" in page and "<svg" not in page


def test_cancel_needs_a_post(alice_client, alices_appointment):
    assert (
        alice_client.get(f"{BASE}/appointments/{alices_appointment.pk}/cancel/").status_code == 405
    )


def test_cancelling_after_the_deadline_is_refused_with_a_message(
    alice_client, session, alices_appointment
):
    late = session.starts_at - timedelta(minutes=30)
    with mock.patch("django.utils.timezone.now", return_value=late):
        r = alice_client.post(f"{BASE}/appointments/{alices_appointment.pk}/cancel/", follow=True)
    assert "已过取消截止时间" in r.content.decode()
    alices_appointment.refresh_from_db()
    assert alices_appointment.status == "booked"


def test_after_a_suspension_cancelling_is_offered_whatever_the_deadline(
    alice_client, session, alices_appointment
):
    suspend_session(session, "医生外出会诊")
    late = session.starts_at - timedelta(minutes=30)
    with mock.patch("django.utils.timezone.now", return_value=late):
        page = alice_client.get(f"{BASE}/appointments/{alices_appointment.pk}/").content.decode()
        assert "医生外出会诊" in page and "取消预约" in page
        alice_client.post(f"{BASE}/appointments/{alices_appointment.pk}/cancel/")
    alices_appointment.refresh_from_db()
    assert alices_appointment.status == "cancelled"


def test_the_appointment_page_shows_position_and_waiting_count(
    alice_client, session, alice, alice_mother, alices_appointment
):
    other = book(alice_mother, session, WECHAT, booked_by=alice)
    with mock.patch("django.utils.timezone.now", return_value=session.starts_at):
        check_in(alices_appointment)
        check_in(other)
        page = alice_client.get(f"{BASE}/appointments/{other.pk}/").content.decode()
        queues = alice_client.get(f"{BASE}/booking/queues/").content.decode()
    assert "第 2 位" in page and 'id="waiting">2<' in page and "约 8 分钟" in page
    assert "2 人候诊" in queues and "王建国" in queues


def test_a_cancelled_appointment_shows_no_queue_and_no_wait(
    alice_client, session, alice, alice_mother, alices_appointment
):
    other = book(alice_mother, session, WECHAT, booked_by=alice)
    check_in(other, now=session.starts_at)
    cancel_appointment(alices_appointment)
    page = alice_client.get(f"{BASE}/appointments/{alices_appointment.pk}/").content.decode()
    assert "已取消" in page
    assert "当前候诊人数" not in page and "预计等候" not in page and "取消预约" not in page


def test_pages_speak_english(alice_client, alices_appointment):
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = alice_client.get(f"{BASE}/appointments/{alices_appointment.pk}/").content.decode()
    assert "Cancel appointment" in page and "Queue number" in page


def test_an_ineligible_patient_is_refused_with_the_reason(alice_client, session, alice_self):
    from carebridge.patients.models import PatientPolicy

    PatientPolicy.objects.create(institution=session.institution, max_age=18)
    slot = session.slots.first()
    r = alice_client.post(
        f"{BASE}/booking/session/{session.pk}/slot/{slot.pk}/", {"patient": alice_self.pk}
    )
    assert r.status_code == 403 and "本院只接受未满18周岁的就诊人" in r.content.decode()
    assert not Appointment.objects.exists() and wechat_booked(session) == 0


def test_the_booking_journey_speaks_english(alice_client, session, cardiology, dr_wang):
    dr_wang.name_en, dr_wang.title_en = "Wang Jianguo", "Chief Physician"
    dr_wang.save(update_fields=["name_en", "title_en"])
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = [
        f"{BASE}/booking/",
        f"{BASE}/booking/department/{cardiology.pk}/",
        f"{BASE}/booking/session/{session.pk}/",
        f"{BASE}/booking/session/{session.pk}/slot/{session.slots.first().pk}/",
    ]
    html = [alice_client.get(url).content.decode() for url in pages]
    assert "Cardiology" in html[0] and "心内科" not in html[0]
    assert "Wang Jianguo Chief Physician" in html[1] and "王建国" not in html[1]
    assert "Cardiology" in html[2] and "Wang Jianguo" in html[2]
    assert "Confirm" in html[3] and "王建国" not in html[3]


def test_the_qr_code_on_the_page_carries_the_check_in_code_the_kiosk_sends(
    alice_client, alices_appointment
):
    from carebridge.booking import qr

    page = alice_client.get(f"{BASE}/appointments/{alices_appointment.pk}/").content.decode()
    assert qr.svg(alices_appointment.checkin_payload) in page
    assert alices_appointment.checkin_payload.startswith("CBA:")
    assert len(alices_appointment.checkin_code) >= 24  # unguessable: it proves the appointment
