"""Booking's pages write dates the one way of each language (carebridge/formats/)."""

from datetime import date, datetime
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from .helpers import make_session

pytestmark = pytest.mark.django_db
BASE = "/h5/renai"
# Tuesday 1 December 2026, 06:00: the session a week later opens at 07:00 today.
NOW = timezone.make_aware(datetime(2026, 12, 1, 6, 0))


@pytest.fixture
def next_week(hospital, cardiology, dr_wang):
    return make_session(hospital, cardiology, dr_wang, date(2026, 12, 8))


def pages(client, session, cardiology):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        on_session = client.get(f"{BASE}/booking/session/{session.pk}/").content.decode()
        department = client.get(f"{BASE}/booking/department/{cardiology.pk}/").content.decode()
    return on_session, department


def test_booking_pages_write_dates_in_chinese(alice_client, next_week, cardiology):
    session, department = pages(alice_client, next_week, cardiology)
    assert "2026年12月8日 星期二" in session
    assert "号源将于 2026年12月1日 07:00 开放预约" in session
    assert "12月8日 星期二" in department and "12月1日 07:00 放号" in department


def test_booking_pages_write_dates_in_english(alice_client, next_week, cardiology):
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    session, department = pages(alice_client, next_week, cardiology)
    assert "Tue 8 Dec 2026" in session and "1 Dec 2026 07:00" in session
    assert "Tue 8 Dec" in department and "1 Dec 07:00" in department


def test_the_back_office_writes_dates_the_same_way(client, next_week):
    client.force_login(User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345"))
    assert "2026年12月8日 星期二" in client.get("/admin/booking/clinicsession/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Tue 8 Dec 2026" in client.get("/admin/booking/clinicsession/").content.decode()
