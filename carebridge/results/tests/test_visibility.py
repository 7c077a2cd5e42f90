"""Who sees what: a patient's WeChat user sees her patients' final, amended and corrected
reports once released, and nobody else's; every other status shows nothing."""

from datetime import timedelta

import pytest

from carebridge.results.models import Blocker, Report, ReportStatus

from .helpers import NOW, push

pytestmark = pytest.mark.django_db


def seen_by(follower, now=NOW):
    return list(Report.objects.for_account(follower).visible_to_patient(now))


@pytest.mark.parametrize(
    "status, visible",
    [
        ("registered", False),
        ("partial", False),
        ("preliminary", False),
        ("final", True),
        ("amended", True),
        ("corrected", True),
        ("cancelled", False),
        ("entered-in-error", False),
    ],
)
def test_a_patient_sees_only_final_amended_and_corrected_reports(
    alice, alice_self, status, visible
):
    report = push(alice_self, status=status).report
    assert seen_by(alice) == ([report] if visible else [])
    assert report.is_visible_to_patient(NOW) is visible
    assert report.shown_to_patient(NOW) is visible


@pytest.mark.parametrize(
    "path, visible_after",
    [
        (["registered", "preliminary", "final"], [False, False, True]),
        (["partial", "final", "amended"], [False, True, True]),
        (["final", "corrected", "corrected"], [True, True, True]),
        (["preliminary", "cancelled"], [False, False]),
        (["final", "entered-in-error"], [True, False]),
        (["final", "amended", "entered-in-error"], [True, True, False]),
    ],
)
def test_each_transition_shows_or_hides_the_report(alice, alice_self, path, visible_after):
    seen = []
    for number, status in enumerate(path, start=1):
        at = NOW + timedelta(minutes=number)
        report = push(alice_self, version=number, status=status, now=at).report
        seen.append(bool(seen_by(alice, at)))
        # The action's answer tells from the rows in memory what the query finds.
        assert report.shown_to_patient(at) is seen[-1]
    assert seen == visible_after


def test_an_amended_report_says_so_and_keeps_its_earlier_versions_for_staff(alice, alice_self):
    push(alice_self)
    push(alice_self, version=2, status="amended", conclusion="补充:建议复查")
    report = seen_by(alice)[0]
    assert report.current.is_revision and report.current.get_status_display() == "已修改"
    assert [v.status for v in report.history()] == ["amended", "final"]


def test_a_user_sees_the_reports_of_every_patient_she_holds_and_no_one_elses(
    alice, bob, alice_self, alice_mother, bob_self
):
    mine = push(alice_self, identifier="A-1").report
    mothers = push(alice_mother, identifier="M-1").report
    push(bob_self, identifier="B-1")
    assert set(seen_by(alice)) == {mine, mothers}
    assert [r.identifier for r in seen_by(bob)] == ["B-1"]


def test_an_archived_patients_reports_are_no_longer_shown(alice, alice_mother):
    push(alice_mother)
    alice_mother.archived_at = NOW
    alice_mother.save(update_fields=["archived_at"])
    assert seen_by(alice) == []


def test_a_preliminary_report_says_why_it_waits(alice_self):
    version = push(alice_self, status="preliminary").version
    assert version.release_blockers() == [Blocker.NOT_FINAL]
    assert version.released_at is None


def test_the_newest_report_comes_first(alice, alice_self):
    push(alice_self, identifier="OLD", issued=(NOW - timedelta(days=3)).isoformat())
    push(alice_self, identifier="NEW")
    assert [r.identifier for r in Report.objects.for_account(alice).newest_first()] == [
        "NEW",
        "OLD",
    ]


def test_visible_statuses_are_defined_once():
    assert ReportStatus.visible() == ["final", "amended", "corrected"]
