"""Races on the real database (SQLite file or PostgreSQL): pushes of one report and
acknowledgements of one critical value, started together, leave one report, each version once,
the newest current, and one release."""

from collections import Counter

import pytest

from carebridge.patients.models import Patient
from carebridge.results.actions import acknowledge_critical
from carebridge.results.errors import NothingToDo
from carebridge.results.models import ContactMethod, Report, ReportVersion
from carebridge.results.signals import report_released
from carebridge.tests.threads import run_together

from .helpers import LOW_POTASSIUM, push

pytestmark = pytest.mark.django_db(transaction=True)


def push_fresh(patient_id, **changes):
    """Push with fresh rows, as a separate request would; returns the outcome."""
    patient = Patient.objects.select_related("owner__account__institution").get(pk=patient_id)
    return push(patient, **changes).outcome


def test_versions_pushed_together_make_one_report_with_the_newest_current(alice_self):
    statuses = ["preliminary", "final", "corrected", "corrected"]
    outcomes = run_together(
        lambda n: push_fresh(alice_self.pk, version=n, status=statuses[n - 1]),
        [(n,) for n in range(1, 5)],
    )
    report = Report.objects.get()
    assert sorted(ReportVersion.objects.values_list("version", flat=True)) == [1, 2, 3, 4]
    assert report.current.version == 4 and report.current.released_at is not None
    assert Counter(outcomes)["created"] == 1


def test_the_same_version_pushed_together_is_stored_once(alice_self):
    outcomes = run_together(lambda: push_fresh(alice_self.pk), [()] * 3)
    assert sorted(outcomes) == ["created", "unchanged", "unchanged"]
    assert ReportVersion.objects.count() == 1


def test_two_clinicians_acknowledging_together_release_once(alice_self, dr_li):
    version = push(alice_self, result=LOW_POTASSIUM).version
    released = []

    def receiver(sender, version, released_at, **kwargs):
        released.append(version.pk)

    def acknowledge():
        try:
            acknowledge_critical(
                ReportVersion.objects.select_related("report").get(pk=version.pk),
                by=dr_li,
                contact=ContactMethod.PHONE,
            )
            return "acknowledged"
        except NothingToDo:
            return "refused"

    report_released.connect(receiver)
    try:
        outcomes = run_together(acknowledge, [()] * 2)
    finally:
        report_released.disconnect(receiver)
    assert sorted(outcomes) == ["acknowledged", "refused"]
    assert released == [version.pk]
