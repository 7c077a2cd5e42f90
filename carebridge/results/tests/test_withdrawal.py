"""A withdrawn report (entered in error, or cancelled) disappears from the patient's list; its
versions stay for staff, and the hook for telling the patient says whether they could have seen
it."""

from datetime import timedelta

import pytest

from carebridge.results.actions import withdraw_report
from carebridge.results.errors import ReportWithdrawn
from carebridge.results.models import ReleaseRule, Report, ReportVersion
from carebridge.results.signals import report_withdrawn

from .helpers import NOW, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn():
    seen = []

    def receiver(sender, report, was_visible, **kwargs):
        seen.append((report.identifier, was_visible))

    report_withdrawn.connect(receiver)
    yield seen
    report_withdrawn.disconnect(receiver)


def test_a_withdrawn_report_disappears_and_the_hook_fires_once(alice, alice_self, withdrawn):
    report = push(alice_self).report
    assert withdraw_report(report, reason="标本错误", now=NOW + timedelta(hours=1))
    assert not withdraw_report(report, now=NOW + timedelta(hours=2))
    assert not Report.objects.for_account(alice).visible_to_patient(NOW + timedelta(hours=1))
    report.refresh_from_db()
    assert (report.withdrawn_reason, report.versions.count()) == ("标本错误", 1)
    assert withdrawn == [("LIS-0001", True)]


def test_entered_in_error_pushed_as_a_version_withdraws_the_report(alice, alice_self, withdrawn):
    push(alice_self)
    push(alice_self, version=2, status="entered-in-error")
    assert not Report.objects.for_account(alice).visible_to_patient(NOW)
    assert Report.objects.get().is_withdrawn
    assert withdrawn == [("LIS-0001", True)]


def test_a_report_cancelled_before_anyone_saw_it_has_nothing_to_tell(alice_self, withdrawn):
    push(alice_self, status="registered")
    push(alice_self, version=2, status="cancelled")
    assert withdrawn == [("LIS-0001", False)]


def test_a_report_withdrawn_during_its_delay_is_never_released(alice_self, hospital, withdrawn):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    report = push(alice_self).report
    withdraw_report(report, now=NOW + timedelta(days=1))
    assert ReportVersion.objects.get().released_at is None
    assert withdrawn == [("LIS-0001", False)]


def test_a_withdrawn_report_takes_no_new_version(alice_self):
    push(alice_self)
    push(alice_self, version=2, status="entered-in-error")
    with pytest.raises(ReportWithdrawn):
        push(alice_self, version=3, status="corrected")
    assert push(alice_self, version=2, status="entered-in-error").outcome == "unchanged"
