"""The institution's release rules: a kind of report (or one code of it) is held for N days from
its first issue, or until a doctor releases it."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from carebridge.results.actions import release_by_doctor
from carebridge.results.errors import NothingToDo
from carebridge.results.models import Blocker, HeldReport, ReleaseRule, Report
from carebridge.results.signals import report_released

from .helpers import NOW, push
from .pages import high_count

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


# A rule changed, disabled or removed: what it held is looked at again, in the same transaction.


def held_for_a_doctor(patient, hospital, **push_changes):
    rule = ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="doctor")
    version = push(patient, **push_changes).version
    assert version.released_at is None
    return rule, version


def test_removing_the_rule_releases_what_it_held_for_a_doctor(alice, alice_self, hospital):
    rule, version = held_for_a_doctor(alice_self, hospital)
    announced = []

    def heard(version, **kwargs):
        announced.append(version.pk)

    report_released.connect(heard, dispatch_uid="test.rule_removed")
    try:
        with transaction.atomic():
            rule.delete()
            version.refresh_from_db()
            assert version.released_at is not None  # in the deletion's own transaction
    finally:
        report_released.disconnect(dispatch_uid="test.rule_removed")
    assert visible(alice, timezone.now()) == [version.report]
    assert announced == [version.pk]  # the patient's "report ready" message is queued


def test_disabling_the_rule_releases_it_and_a_doctor_has_nothing_left_to_do(
    alice, alice_self, hospital, dr_li
):
    rule, version = held_for_a_doctor(alice_self, hospital)
    rule.is_active = False
    rule.save()
    version.refresh_from_db()
    assert version.released_at is not None and not HeldReport.objects.exists()
    with pytest.raises(NothingToDo):
        release_by_doctor(version, by=dr_li)


def test_a_doctor_rule_turned_into_a_delay_holds_for_the_delay_only(alice_self, hospital):
    # Issued an hour ago on the real clock: rules are re-read at the moment they change.
    issued = timezone.now() - timedelta(hours=1)
    rule, version = held_for_a_doctor(alice_self, hospital, now=issued, issued=issued.isoformat())
    rule.mode, rule.days = "delay", 3
    rule.save()
    version.refresh_from_db()
    assert version.released_at == issued + timedelta(days=3)


def test_deleting_rules_in_bulk_as_the_admin_does_releases_too(alice_self, hospital):
    _rule, version = held_for_a_doctor(alice_self, hospital)
    ReleaseRule.objects.filter(institution=hospital).delete()
    version.refresh_from_db()
    assert version.released_at is not None


def test_what_else_holds_a_version_still_holds_it(alice_self, hospital, dr_li):
    items = high_count()
    items[0]["interpretation"] = "HH"
    rule, version = held_for_a_doctor(alice_self, hospital, result=items)
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="doctor", code="CBC")
    rule.delete()  # the other rule still asks for a doctor, and the critical value is unseen
    version.refresh_from_db()
    assert version.released_at is None
    assert version.release_blockers() == [Blocker.CRITICAL, Blocker.DOCTOR]


def test_another_institutions_rule_changes_nothing_here(alice_self, hospital, other_hospital):
    _rule, version = held_for_a_doctor(alice_self, hospital)
    elsewhere = ReleaseRule.objects.create(
        institution=other_hospital, kind="laboratory", mode="doctor"
    )
    elsewhere.delete()
    version.refresh_from_db()
    assert version.released_at is None
