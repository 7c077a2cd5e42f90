"""The institution's pages write a notice's day the one way of each language."""

import pytest
from django.urls import reverse

from carebridge.institutions.actions import create_doctor_notice
from carebridge.institutions.models import NoticeKind
from carebridge.tests.dates import en_date, zh_date

pytestmark = pytest.mark.django_db


def test_a_notice_shows_its_day_with_the_weekday(client, hospital, catalogue, days):
    day = days(3)
    create_doctor_notice(
        institution=hospital,
        kind=NoticeKind.SUSPENSION,
        doctor=catalogue.zhang_san,
        starts_on=day,
        ends_on=day,
        text="停诊一天",
    )
    url = reverse("institutions:doctor", args=["renai", catalogue.zhang_san.pk])
    assert zh_date(day) in client.get(url).content.decode()


def test_in_english_too(english, hospital, catalogue, days):
    day = days(3)
    create_doctor_notice(
        institution=hospital,
        kind=NoticeKind.SUSPENSION,
        doctor=catalogue.zhang_san,
        starts_on=day,
        ends_on=day,
        text="停诊一天",
    )
    url = reverse("institutions:doctor", args=["renai", catalogue.zhang_san.pk])
    assert en_date(day) in english.get(url).content.decode()
