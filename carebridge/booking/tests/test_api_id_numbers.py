"""A walk-in booked at the window by ID number: the number is checked as the H5 form checks it.
An older patient's first-generation number whose region code is younger than its holder (or
unknown to python-stdnum) is booked; a wrong check character, an impossible or future birth
date and a wrong length are refused with a 400 naming the problem, and nothing is booked."""

from datetime import date

import pytest

from carebridge.booking.models import Appointment, SessionQuota
from carebridge.patients.tests import factories

from .test_api import call, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def window_key(hospital):
    return make_client(hospital)


def book_walk_in(client, key, session, number):
    patient = {"id_type": "resident_id", "id_number": number, "name": "周桂英"}
    return call(
        client,
        "post",
        "/booking/appointments",
        key,
        {"session_id": session.pk, "patient": patient},
    )


@pytest.mark.parametrize(
    "region, born",
    [
        ("320503", date(1960, 4, 12)),  # 苏州市姑苏区, since 2012
        ("320505", date(1960, 11, 3)),  # 苏州市虎丘区, since 2000
        ("310115", date(1980, 1, 31)),  # 上海市浦东新区, since 1993
        ("440305", date(1975, 7, 9)),  # 深圳市南山区, since 1990
        ("990101", date(1951, 9, 9)),  # no such region
    ],
)
def test_an_older_walk_in_is_booked_whatever_the_region_of_the_number(
    client,
    window_key,
    session,
    region,
    born,
):
    number = factories.resident_id(born, "female", region=region, seq=52)
    r = book_walk_in(client, window_key, session, number)
    assert r.status_code == 201, r.content
    assert Appointment.objects.get().walk_in_name == "周桂英"


@pytest.mark.parametrize(
    "number, message",
    [
        ("wrong check", "校验位不正确"),
        (factories.with_check("32050519600230004"), "出生日期无效"),  # 30 February
        (factories.with_check("32050529990101004"), "出生日期晚于今天"),
        (factories.with_check("32050518500101004"), "出生日期早于"),
        ("3205051960041204", "应为18位"),
    ],
)
def test_a_walk_ins_bad_number_is_refused_and_nothing_is_booked(
    client,
    window_key,
    session,
    number,
    message,
):
    if number == "wrong check":
        good = factories.resident_id(date(1960, 4, 12), "male", region="320505")
        number = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = book_walk_in(client, window_key, session, number)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_id_number")
    assert message in r.json()["message"]
    assert not Appointment.objects.exists()
    assert not SessionQuota.objects.filter(booked__gt=0).exists()
