"""Versions: identified by the HIS's report id and version number. The same one again changes
nothing; an older one arriving late is history and never the current version."""

from datetime import timedelta

import pytest

from carebridge.results.errors import (
    CategoryMismatch,
    PatientMismatch,
    StatusRegression,
    VersionConflict,
)
from carebridge.results.models import Observation, Report, ReportVersion

from .helpers import NOW, blood_count, item, push

pytestmark = pytest.mark.django_db


def state():
    return (
        list(Report.objects.values_list("pk", "current_id", "title", "withdrawn_at")),
        list(ReportVersion.objects.values_list("pk", "version", "status", "released_at")),
        Observation.objects.count(),
    )


def test_a_newer_version_becomes_current_and_the_earlier_stays_for_staff(alice_self):
    push(alice_self, version=1)
    done = push(
        alice_self, version=2, status="corrected", result=blood_count([item("白细胞计数", 7.0)])
    )
    report = Report.objects.get()
    assert done.outcome == "updated"
    assert report.current == done.version
    assert [v.version for v in report.history()] == [2, 1]
    assert report.current.is_revision


def test_an_older_version_arriving_late_never_overwrites_the_newer(alice_self):
    push(alice_self, version=3, status="corrected", result=blood_count([item("白细胞计数", 7.0)]))
    late = push(alice_self, version=2, status="final")
    report = Report.objects.get()
    assert late.outcome == "superseded"
    assert report.current.version == 3 and report.current.status == "corrected"
    assert report.current.observations.get().name == "白细胞计数"
    assert late.version.released_at is None  # history only: never shown
    assert [v.version for v in report.history()] == [3, 2]


def test_pushing_the_same_version_again_changes_nothing(alice_self):
    first = push(alice_self)
    before = state()
    again = push(alice_self, now=NOW + timedelta(minutes=5))
    assert again.outcome == "unchanged" and again.version == first.version
    assert state() == before


def test_the_same_version_with_other_content_is_refused(alice_self):
    push(alice_self)
    before = state()
    with pytest.raises(VersionConflict):
        push(alice_self, conclusion="白细胞偏高")
    assert state() == before


def test_a_report_id_stays_with_its_patient_and_its_kind(alice_self, alice_mother):
    push(alice_self)
    before = state()
    with pytest.raises(PatientMismatch):
        push(alice_mother, version=2, status="corrected")
    with pytest.raises(CategoryMismatch):
        push(alice_self, version=2, status="corrected", category="imaging")
    assert state() == before


@pytest.mark.parametrize("status", ["registered", "partial", "preliminary", "final", "cancelled"])
def test_a_final_report_changes_only_by_amendment_correction_or_withdrawal(alice_self, status):
    push(alice_self)
    before = state()
    with pytest.raises(StatusRegression):
        push(alice_self, version=2, status=status)
    assert state() == before


@pytest.mark.parametrize("status", ["amended", "corrected", "entered-in-error"])
def test_what_may_follow_a_final_report(alice_self, status):
    push(alice_self)
    assert push(alice_self, version=2, status=status).outcome == "updated"


def test_before_it_is_final_a_report_may_go_anywhere(alice_self):
    for number, status in enumerate(["registered", "preliminary", "partial", "final"], start=1):
        push(alice_self, version=number, status=status)
    assert Report.objects.get().current.status == "final"
