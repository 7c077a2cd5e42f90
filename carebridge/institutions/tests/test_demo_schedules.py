"""The demo hospital comes with weekly schedules, so `make demo` has sessions to book."""

from datetime import date

import pytest

from carebridge.booking.actions import generate_sessions
from carebridge.booking.models import ClinicSession, ScheduleTemplate
from carebridge.institutions.demo.load import load_demo

pytestmark = pytest.mark.django_db


def test_every_doctor_has_two_half_days_and_two_departments_run_clinics():
    loaded = load_demo()
    templates = ScheduleTemplate.objects.filter(institution=loaded.institution)
    doctors = loaded.institution.doctors.count()
    assert templates.exclude(doctor=None).count() == 2 * doctors
    clinics = templates.filter(doctor=None)
    assert sorted({t.department.name for t in clinics}) == ["儿科", "心血管内科"]
    assert {t.fee for t in clinics} == {1400}  # seed 004's 14 yuan
    for t in templates:
        t.full_clean()  # pools add up, hours are sane, the rows are the institution's
        assert t.quota_wechat > 0 and t.quota_window > 0


def test_loading_again_adds_no_template_and_sessions_come_from_them():
    loaded = load_demo()
    count = ScheduleTemplate.objects.count()
    load_demo()
    assert ScheduleTemplate.objects.count() == count
    created = generate_sessions(today=date(2026, 9, 14))  # a Monday, no holiday in two weeks
    assert created and ClinicSession.objects.filter(institution=loaded.institution).exists()
    assert generate_sessions(today=date(2026, 9, 14)) == []
    wang = loaded.institution.doctors.get(name="王建国")
    assert ClinicSession.objects.filter(doctor=wang).count() == 4  # 2 half-days × 2 weeks


def test_the_menus_queue_link_opens_the_waiting_page(client):
    from carebridge.wechat.models import MenuButton

    load_demo("http://testserver")
    path = MenuButton.objects.get(name="候诊排队").url.removeprefix("http://testserver")
    session = client.session
    session["wechat"] = {"account": "demo", "openid": "o_demo_1", "scope": "snsapi_base"}
    session["wechat"]["snapshot"] = False
    session.save()
    response = client.get(path)
    assert response.status_code == 200 and "今日各医生候诊人数" in response.content.decode()


def test_the_demo_hospital_takes_some_fees_on_wechat_through_its_sandbox_merchant():
    from carebridge.billing.models import Merchant
    from carebridge.booking.models import FeePayment
    from carebridge.sandbox.models import SandboxPayMerchant

    loaded = load_demo()
    merchant = Merchant.objects.get(institution=loaded.institution)
    assert SandboxPayMerchant.objects.filter(mchid=merchant.mchid, appid=merchant.appid).exists()
    templates = ScheduleTemplate.objects.filter(institution=loaded.institution)
    at_booking = templates.filter(fee_payment=FeePayment.AT_BOOKING)
    assert at_booking.exists() and not at_booking.filter(doctor=None).exists()
    assert templates.filter(fee_payment=FeePayment.AT_VISIT).exists()
    load_demo()
    assert Merchant.objects.filter(institution=loaded.institution).count() == 1
