"""The back office shows and takes fees in yuan and stores fen (lib/money.py)."""

import pytest
from django.contrib.auth.models import User

from carebridge.booking.models import ScheduleTemplate

from .helpers import WECHAT, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345"))
    return client


def template_form(hospital, cardiology, dr_wang, fee) -> dict:
    return {
        "institution": hospital.pk,
        "department": cardiology.pk,
        "doctor": dr_wang.pk,
        "weekday": 1,
        "period": "morning",
        "clinic_type": "expert",
        "start_time": "08:00",
        "end_time": "12:00",
        "fee": fee,
        "fee_payment": "at_visit",
        "weeks_ahead": 4,
        "is_active": "on",
        "capacity": 4,
        "quota_wechat": 2,
        "quota_window": 1,
        "quota_kiosk": 1,
        "quota_phone": 0,
        "quota_referral": 0,
    }


def test_a_fee_typed_in_yuan_is_stored_in_fen(admin_client, hospital, cardiology, dr_wang):
    r = admin_client.post(
        "/admin/booking/scheduletemplate/add/", template_form(hospital, cardiology, dr_wang, "12.5")
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert ScheduleTemplate.objects.get().fee == 1250


@pytest.mark.parametrize(
    "typed, says", [("12.345", "两位小数"), ("-1", "不能为负数"), ("abc", "以元为单位")]
)
def test_a_bad_fee_is_refused_and_changes_nothing(
    admin_client, hospital, cardiology, dr_wang, typed, says
):
    r = admin_client.post(
        "/admin/booking/scheduletemplate/add/", template_form(hospital, cardiology, dr_wang, typed)
    )
    assert r.status_code == 200 and says in r.content.decode()
    assert not ScheduleTemplate.objects.exists()


def test_editing_a_template_shows_its_fee_in_yuan(admin_client, hospital, cardiology, dr_wang):
    admin_client.post(
        "/admin/booking/scheduletemplate/add/", template_form(hospital, cardiology, dr_wang, "9")
    )
    template = ScheduleTemplate.objects.get()
    page = admin_client.get(f"/admin/booking/scheduletemplate/{template.pk}/change/")
    assert 'value="9.00"' in page.content.decode()
    assert "¥9.00" in admin_client.get("/admin/booking/scheduletemplate/").content.decode()


def test_sessions_and_appointments_show_fees_in_yuan(admin_client, session, alice, alice_self):
    appointment = book(alice_self, session, WECHAT, booked_by=alice)
    assert "¥14.00" in admin_client.get("/admin/booking/clinicsession/").content.decode()
    change = admin_client.get(f"/admin/booking/clinicsession/{session.pk}/change/")
    assert "¥14.00" in change.content.decode() and 'name="fee"' not in change.content.decode()
    page = admin_client.get(f"/admin/booking/appointment/{appointment.pk}/change/")
    assert "¥14.00" in page.content.decode() and 'name="fee"' not in page.content.decode()
