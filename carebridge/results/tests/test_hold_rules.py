"""The institution's release rules: a kind of report (or one code of it) is held for N days from
its first issue, or until a doctor releases it."""

from datetime import timedelta

import pytest

from carebridge.results.actions import release_by_doctor
from carebridge.results.errors import NothingToDo
from carebridge.results.models import Blocker, ReleaseRule, Report

from .helpers import NOW, push

pytestmark = pytest.mark.django_db

ISSUED = NOW - timedelta(hours=1)


def visible(follower, now):
    return list(Report.objects.for_account(follower).visible_to_patient(now))


def test_a_kind_held_for_days_is_released_at_the_end_of_the_delay(alice, alice_self, hospital):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    version = push(alice_self).version
    assert version.released_at == ISSUED + timedelta(days=3)
    assert visible(alice, ISSUED + timedelta(days=3) - timedelta(seconds=1)) == []
    assert visible(alice, ISSUED + timedelta(days=3)) == [version.report]


def test_a_correction_after_the_delay_is_not_held_again(alice, alice_self, hospital):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    push(alice_self)
    later = NOW + timedelta(days=5)
    corrected = push(alice_self, version=2, status="corrected", issued=later.isoformat(), now=later)
    assert corrected.version.released_at == later


def test_a_version_overtaken_during_its_delay_is_never_released(alice_self, hospital):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    first = push(alice_self).version
    second = push(alice_self, version=2, status="corrected", now=NOW + timedelta(days=1)).version
    first.refresh_from_db()
    assert first.released_at is None
    assert second.released_at == ISSUED + timedelta(days=3)


def test_a_kind_held_for_a_doctor_waits_for_one(alice, alice_self, hospital, dr_li):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", code="CBC", mode="doctor")
    version = push(alice_self).version
    assert version.release_blockers() == [Blocker.DOCTOR]
    assert visible(alice, NOW + timedelta(days=365)) == []
    later = NOW + timedelta(hours=2)
    assert release_by_doctor(version, by=dr_li, now=later) == later
    version.refresh_from_db()
    assert (version.doctor_released_by, version.released_at) == (dr_li, later)
    assert visible(alice, later) == [version.report]
    with pytest.raises(NothingToDo):
        release_by_doctor(version, by=dr_li, now=later)


def test_a_rule_for_one_code_holds_only_that_code(alice_self, hospital, dr_li):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", code="PATH", mode="doctor")
    version = push(alice_self).version  # code CBC
    assert version.released_at == NOW
    with pytest.raises(NothingToDo):
        release_by_doctor(version, by=dr_li, now=NOW)


def test_rules_add_up_a_doctor_and_the_longest_delay(alice_self, hospital, dr_li):
    for days in (2, 5):
        ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=days)
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="doctor")
    version = push(alice_self).version
    assert version.released_at is None
    assert release_by_doctor(version, by=dr_li, now=NOW) == ISSUED + timedelta(days=5)


def test_rules_of_another_institution_or_inactive_ones_hold_nothing(
    alice_self, hospital, other_hospital
):
    ReleaseRule.objects.create(institution=other_hospital, kind="laboratory", mode="doctor")
    ReleaseRule.objects.create(
        institution=hospital, kind="laboratory", mode="doctor", is_active=False
    )
    ReleaseRule.objects.create(institution=hospital, kind="imaging", mode="delay", days=7)
    assert push(alice_self).version.released_at == NOW
