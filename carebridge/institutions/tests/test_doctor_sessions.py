"""The doctor's page lists the coming week's sessions from booking (queries.upcoming_sessions)."""

import re
from datetime import time

import pytest
from django.urls import reverse

from carebridge.booking.actions import create_session
from carebridge.booking.actions.suspend import suspend_session
from carebridge.booking.models import BookingPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(hospital, catalogue, days):
    """Sessions of 张三 in 儿科: open with places, full for WeChat, suspended, and too far."""

    def session(doctor, day, period="afternoon", wechat=2):
        return create_session(
            institution=hospital,
            department=catalogue.paeds,
            doctor=doctor,
            date=days(day),
            period=period,
            start_time=time(13, 30) if period == "afternoon" else time(8, 0),
            end_time=time(17, 0) if period == "afternoon" else time(11, 30),
            fee=1400,
            capacity=4,
            quota_wechat=wechat,
            quota_window=4 - wechat,
        )

    doctor = catalogue.zhang_san
    return {
        "open": session(doctor, 1),
        "full": session(doctor, 2, wechat=0),
        "suspended": session(doctor, 3),
        "far": session(doctor, 9),
        "colleague": session(catalogue.shan, 1),
    }


def doctor_page(client, doctor):
    response = client.get(reverse("institutions:doctor", args=["renai", doctor.pk]))
    assert response.status_code == 200
    return response.content.decode()


def booking_url(session):
    return reverse("booking:session", kwargs={"slug": "renai", "session_id": session.pk})


def test_an_open_session_links_to_booking_with_fee_and_places(client, catalogue, clinic):
    html = doctor_page(client, catalogue.zhang_san)
    assert f'href="{booking_url(clinic["open"])}"' in html
    assert "挂号费 ¥14.00" in html and "余 2 个号" in html


def test_full_and_suspended_sessions_show_without_a_booking_link(client, catalogue, clinic):
    suspend_session(clinic["suspended"], "外出会诊")
    html = doctor_page(client, catalogue.zhang_san)
    assert booking_url(clinic["full"]) not in html and "约满" in html
    assert booking_url(clinic["suspended"]) not in html
    sessions = html[html.index("h5-sessions") :]
    assert len(re.findall(r'class="h5-badge">停诊<', sessions)) == 1
    assert "停诊:外出会诊" in html  # booking's suspension published a notice too


def test_a_session_not_yet_released_has_no_booking_link(client, hospital, catalogue, clinic):
    BookingPolicy.objects.create(institution=hospital, release_days_ahead=0)
    html = doctor_page(client, catalogue.zhang_san)
    assert booking_url(clinic["open"]) not in html and "未放号" in html


def test_only_this_doctors_sessions_of_the_coming_week_are_listed(client, catalogue, clinic):
    html = doctor_page(client, catalogue.zhang_san)
    sessions = re.findall(r'class="weui-cell[^"]*h5-session"', html)
    assert len(sessions) == 3  # open, full, suspended; not day 9, not the colleague's
    assert booking_url(clinic["colleague"]) not in html


def test_a_doctor_without_sessions_says_so(client, catalogue):
    assert "近7天暂无出诊安排" in doctor_page(client, catalogue.wang)


def test_sessions_render_in_english(english, catalogue, clinic):
    html = doctor_page(english, catalogue.zhang_san)
    assert "Next 7 days" in html and "Fee ¥14.00" in html and "2 places left" in html
    assert "Fully booked" in html


def test_the_page_does_not_query_per_session(
    client, catalogue, clinic, days, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        doctor_page(client, catalogue.zhang_san)
    for n in range(4, 7):
        create_session(
            institution=catalogue.paeds.institution,
            department=catalogue.paeds,
            doctor=catalogue.zhang_san,
            date=days(n),
            period="morning",
            start_time=time(8, 0),
            end_time=time(11, 30),
            fee=1400,
            capacity=2,
            quota_wechat=2,
        )
    with django_assert_max_num_queries(12):
        doctor_page(client, catalogue.zhang_san)
