from datetime import time, timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from carebridge.booking.actions import check_in, mark_no_show
from carebridge.booking.models import (
    Appointment,
    ClinicSession,
    ScheduleTemplate,
    SessionQuota,
)
from carebridge.institutions.models import DoctorNotice, StaffMember

from .helpers import WECHAT, before_visit, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345")
    client.force_login(user)
    return client


@pytest.fixture
def other_staff_client(db, other_hospital):
    """Charlie works for the other hospital: he must not see this one's booking rows."""
    from django.test import Client

    user = User.objects.create_user("charlie", password="pw-charlie-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="booking"))
    StaffMember.objects.create(user=user, institution=other_hospital)
    c = Client()
    c.force_login(user)
    return c


def test_the_booking_admin_pages_load(admin_client, session, alice, alice_self):
    a = book(alice_self, session, WECHAT, booked_by=alice)
    for url in [
        "/admin/booking/clinicsession/",
        f"/admin/booking/clinicsession/{session.pk}/change/",
        "/admin/booking/appointment/?status__exact=booked",
        f"/admin/booking/appointment/{a.pk}/change/",
        "/admin/booking/noshow/",
        "/admin/booking/scheduletemplate/",
        "/admin/booking/bookingpolicy/add/",
        "/admin/booking/waitrecord/",
        "/admin/booking/bookingban/",
        "/admin/booking/closedday/",
        "/admin/booking/clinicsession/add/",
        "/admin/integrations/apiclient/",
        "/admin/booking/dailyjobrun/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(f"/admin/booking/appointment/{a.pk}/change/").content.decode()
    assert "王*红" in page and alice_self.id_number not in page


def test_adding_a_session_cuts_its_slots_and_pools(
    admin_client, hospital, cardiology, dr_wang, tomorrow
):
    r = admin_client.post(
        "/admin/booking/clinicsession/add/",
        {
            "institution": hospital.pk,
            "department": cardiology.pk,
            "doctor": dr_wang.pk,
            "date": tomorrow.isoformat(),
            "period": "evening",
            "clinic_type": "expert",
            "start_time": "18:00",
            "end_time": "20:00",
            "fee": "50.00",
            "fee_payment": "at_visit",
            "capacity": 12,
            "quota_wechat": 8,
            "quota_window": 2,
            "quota_kiosk": 1,
            "quota_phone": 1,
            "quota_referral": 0,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    s = ClinicSession.objects.get()
    assert s.slots.count() == 12 and s.pools.get(channel="wechat").capacity == 8
    assert s.fee == 5000  # typed in yuan, stored in fen


def test_a_session_whose_quotas_do_not_add_up_is_refused(
    admin_client, hospital, cardiology, tomorrow
):
    r = admin_client.post(
        "/admin/booking/clinicsession/add/",
        {
            "institution": hospital.pk,
            "department": cardiology.pk,
            "date": tomorrow.isoformat(),
            "period": "evening",
            "clinic_type": "general",
            "start_time": "18:00",
            "end_time": "20:00",
            "fee": "5.00",
            "capacity": 12,
            "quota_wechat": 3,
            "quota_window": 0,
            "quota_kiosk": 0,
            "quota_phone": 0,
            "quota_referral": 0,
        },
    )
    assert r.status_code == 200 and "必须等于号源总数" in r.content.decode()
    assert not ClinicSession.objects.exists()


def change_quotas(admin_client, session, **quotas):
    data = {
        "quota_wechat": 2,
        "quota_window": 1,
        "quota_kiosk": 1,
        "quota_phone": 0,
        "quota_referral": 0,
        **quotas,
    }
    prefix = "pools"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": 5,
            f"{prefix}-INITIAL_FORMS": 5,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, pool in enumerate(session.pools.order_by("id")):
        data[f"{prefix}-{i}-id"] = pool.pk
        data[f"{prefix}-{i}-session"] = session.pk
    return admin_client.post(f"/admin/booking/clinicsession/{session.pk}/change/", data)


def test_staff_move_places_between_channels(admin_client, session):
    r = change_quotas(admin_client, session, quota_wechat=3, quota_kiosk=0)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert SessionQuota.objects.get(session=session, channel="wechat").capacity == 3
    assert SessionQuota.objects.get(session=session, channel="kiosk").capacity == 0


def test_a_pool_cannot_shrink_below_its_bookings(admin_client, session, alice, alice_self):
    book(alice_self, session, "kiosk")
    r = change_quotas(admin_client, session, quota_wechat=3, quota_kiosk=0)
    assert r.status_code == 200 and "已约出 1 个" in r.content.decode()
    assert SessionQuota.objects.get(session=session, channel="kiosk").capacity == 1


def test_the_suspend_action_asks_a_reason_then_suspends(admin_client, session, alice, alice_self):
    book(alice_self, session, WECHAT, booked_by=alice)
    url = "/admin/booking/clinicsession/"
    ask = admin_client.post(url, {"action": "suspend", "_selected_action": [session.pk]})
    assert ask.status_code == 200 and "停诊原因" in ask.content.decode()
    empty = admin_client.post(
        url, {"action": "suspend", "_selected_action": [session.pk], "apply": "1", "reason": ""}
    )
    assert empty.status_code == 200
    session.refresh_from_db()
    assert session.status == "open"
    admin_client.post(
        url,
        {
            "action": "suspend",
            "_selected_action": [session.pk],
            "apply": "1",
            "reason": "医生参加义诊",
        },
    )
    session.refresh_from_db()
    assert session.status == "suspended" and DoctorNotice.objects.get().kind == "suspension"


def test_the_generate_action_creates_sessions_from_templates(
    admin_client, hospital, cardiology, dr_wang
):
    tpl = ScheduleTemplate.objects.create(
        institution=hospital,
        department=cardiology,
        doctor=dr_wang,
        weekday=timezone.localdate().weekday(),
        period="evening",
        start_time=time(18),
        end_time=time(20),
        fee=1000,
        capacity=5,
        quota_wechat=5,
        weeks_ahead=2,
    )
    admin_client.post(
        "/admin/booking/scheduletemplate/", {"action": "generate", "_selected_action": [tpl.pk]}
    )
    assert ClinicSession.objects.filter(template=tpl).count() == 2


def test_the_queue_page_calls_the_next_patient_and_records_no_shows(
    admin_client, session, alice, alice_self, alice_mother
):
    now = before_visit(session)
    a1 = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    a2 = book(alice_mother, session, WECHAT, booked_by=alice, now=now)
    url = f"/admin/booking/clinicsession/{session.pk}/queue/"
    with mock.patch(
        "django.utils.timezone.now", return_value=session.starts_at + timedelta(hours=2)
    ):
        check_in(a2)
        page = admin_client.get(url).content.decode()
        assert "候诊 1 人" in page and "记为爽约" in page
        admin_client.post(url, {"do": "call_next"})
        admin_client.post(url, {"do": "no_show", "appointment": a1.pk})
        r = admin_client.post(url, {"do": "call_next"}, follow=True)
    assert "没有已签到等候的患者" in r.content.decode()
    assert dict(Appointment.objects.values_list("pk", "status")) == {
        a1.pk: "no_show",
        a2.pk: "called",
    }
    assert "王*红" in admin_client.get("/admin/booking/noshow/").content.decode()


def test_staff_of_another_institution_see_none_of_these_rows(
    other_staff_client, session, alice, alice_self
):
    a = book(alice_self, session, WECHAT, booked_by=alice)
    assert (
        other_staff_client.get(f"/admin/booking/clinicsession/{session.pk}/queue/").status_code
        == 404
    )
    page = other_staff_client.get("/admin/booking/appointment/").content.decode()
    assert "王*红" not in page
    r = other_staff_client.get(f"/admin/booking/appointment/{a.pk}/change/")
    assert r.status_code == 302  # the admin's "does not exist" redirect
    r = other_staff_client.post(
        "/admin/booking/appointment/", {"action": "cancel", "_selected_action": [a.pk]}
    )
    a.refresh_from_db()
    assert a.status == "booked"


def test_the_cancel_action_cancels_as_staff(admin_client, session, alice, alice_self):
    a = book(alice_self, session, WECHAT, booked_by=alice)
    admin_client.post(
        "/admin/booking/appointment/", {"action": "cancel", "_selected_action": [a.pk]}
    )
    a.refresh_from_db()
    assert (a.status, a.cancelled_by) == ("cancelled", "staff")


def test_no_show_list_shows_only_no_shows(admin_client, session, alice, alice_self, bob, bob_self):
    now = before_visit(session)
    a = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    book(bob_self, session, WECHAT, booked_by=bob, now=now)
    mark_no_show(a, now=session.ends_at)
    page = admin_client.get("/admin/booking/noshow/").content.decode()
    assert "王*红" in page and "赵*勇" not in page


def test_appointments_filter_by_doctor_status_and_channel(
    admin_client, hospital, cardiology, session, alice, alice_self, bob, bob_self, tomorrow
):
    from .helpers import make_session

    colleague = hospital.doctors.create(name="李医生", title="主治医师")
    colleague.departments.add(cardiology)
    other = make_session(hospital, cardiology, colleague, tomorrow)
    now = before_visit(session)
    mine = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    book(bob_self, other, "window", now=now)

    def listed(**params):
        response = admin_client.get("/admin/booking/appointment/", params)
        return [a.pk for a in response.context["cl"].queryset]

    assert listed(session__doctor__id__exact=session.doctor_id) == [mine.pk]
    assert listed(channel__exact="wechat", status__exact="booked") == [mine.pk]
    assert len(listed(session__department__id__exact=cardiology.pk)) == 2


def test_opening_an_appointment_is_audited_and_the_list_is_not(
    admin_client, session, alice, alice_self
):
    from carebridge.patients.models import AccessLog

    a = book(alice_self, session, WECHAT, booked_by=alice)
    admin_client.get("/admin/booking/appointment/")
    assert not AccessLog.objects.exists()
    admin_client.get(f"/admin/booking/appointment/{a.pk}/change/", {"reason": "电话改约"})
    log = AccessLog.objects.get()
    assert (log.patient, log.action, log.staff.username, log.reason) == (
        alice_self,
        "view",
        "ops",
        "电话改约",
    )
    walk_in = book(None, session, "window", walk_in_name="张三", person_key="w")
    admin_client.get(f"/admin/booking/appointment/{walk_in.pk}/change/")
    assert AccessLog.objects.count() == 1  # a walk-in has no patient record
