"""The patient's stamp (models/stamps.py): every write that changes which reports the patient
sees bumps it, a delay ending with no write is noticed, and no key a page is cached under ever
stands for two different sets of reports."""

from datetime import timedelta

import pytest

from carebridge.results.actions import (
    acknowledge_critical,
    release_by_doctor,
    withdraw_report,
)
from carebridge.results.choices import ContactMethod
from carebridge.results.models import PatientStamp, ReleaseRule, Report
from carebridge.results.report_body import history_stamp

from .helpers import LOW_POTASSIUM, NOW, push

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
ISSUED = NOW - HOUR  # the helpers' reports' issue time: a delay counts from it


class Pages:
    """Reads the key a page of ``patient``'s reports is cached under, as the pages do, and
    what the patient sees at that moment: one key must always stand for one set."""

    def __init__(self, patient):
        self.patient = patient
        self.seen = {}

    def key(self, now):
        stamp = PatientStamp.objects.filter(patient=self.patient).first()
        key = history_stamp(self.patient.pk, now, stamp)
        shown = set(
            Report.objects.filter(patient=self.patient)
            .visible_to_patient(now)
            .values_list("pk", "current_id")
        )
        assert self.seen.setdefault(key, shown) == shown, f"{key} served stale at {now}"
        return key

    def read_around(self, *moments):
        return [self.key(m) for m in moments for m in (m, m + timedelta(seconds=1))]


def number(patient):
    return PatientStamp.objects.get(patient=patient).number


def test_no_key_ever_stands_for_two_different_sets_of_reports(alice_self, hospital, dr_li):
    pages = Pages(alice_self)
    moments = [NOW + HOUR * h for h in (0, 2, 5, 8, 24 * 3, 24 * 4, 24 * 30)]
    pages.read_around(*moments)
    a = push(alice_self, identifier="A").report
    pages.read_around(*moments)
    push(alice_self, identifier="A", version=2, status="corrected", now=NOW + HOUR)
    pages.read_around(*moments)
    lab = {"institution": hospital, "kind": "laboratory"}
    delay = ReleaseRule.objects.create(**lab, mode="delay", days=3)
    push(alice_self, identifier="B", now=NOW + 2 * HOUR)  # until ISSUED + 3 days
    pages.read_around(*moments, ISSUED + timedelta(days=3))
    delay.delete()
    critical = push(alice_self, identifier="C", result=LOW_POTASSIUM, now=NOW + 3 * HOUR)
    pages.read_around(*moments)
    acknowledge_critical(
        critical.version, by=dr_li, contact=ContactMethod.PHONE, now=NOW + 4 * HOUR
    )
    pages.read_around(*moments)
    doctor = ReleaseRule.objects.create(**lab, mode="doctor")
    held = push(alice_self, identifier="D", now=NOW + 5 * HOUR)
    push(alice_self, identifier="A", version=3, status="corrected", now=NOW + 6 * HOUR)  # held
    pages.read_around(*moments)
    release_by_doctor(held.version, by=dr_li, now=NOW + 7 * HOUR)
    pages.read_around(*moments)
    doctor.delete()  # releases A's third version, now (release_held)
    pages.read_around(*moments)
    withdraw_report(a, now=NOW + 8 * HOUR)
    pages.read_around(*moments)
    push(alice_self, identifier="D", version=2, status="entered-in-error", now=NOW + 9 * HOUR)
    pages.read_around(*moments)
    numbers = [key for key in pages.seen if key[0] == "number"]
    assert len(numbers) > 5, "the stamp's number is read, not only the figures"


def test_a_delay_that_ends_with_no_write_changes_the_key(alice_self, hospital):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    push(alice_self, identifier="A")
    pages = Pages(alice_self)
    ends = ISSUED + timedelta(days=3)
    before = pages.key(ends - HOUR)
    assert before == pages.key(ends - 2 * HOUR) and before[0] == "number"
    after = pages.key(ends)  # the figures, then the row settled for the next page
    assert after != before
    assert pages.key(ends + HOUR)[0] == "number"
    assert pages.key(ends + HOUR) not in (before, after)


@pytest.mark.parametrize(
    "write",
    [
        "a new report",
        "a new version",
        "a held version",
        "a withdrawal",
        "a withdrawing push",
        "an acknowledgement",
        "a doctor's release",
        "a rule's removal",
    ],
)
def test_every_write_the_patient_can_see_bumps_the_stamp(write, alice_self, hospital, dr_li):
    rule = None
    if write in ("a doctor's release", "a rule's removal"):
        rule = ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="doctor")
    critical = {"result": LOW_POTASSIUM} if write == "an acknowledgement" else {}
    first = push(alice_self, identifier="A", **critical)
    before = number(alice_self)
    later = NOW + HOUR
    if write == "a new report":
        push(alice_self, identifier="B", now=later)
    elif write == "a new version":
        push(alice_self, identifier="A", version=2, status="corrected", now=later)
    elif write == "a held version":
        push(alice_self, identifier="A", version=2, status="corrected", result=LOW_POTASSIUM)
    elif write == "a withdrawal":
        withdraw_report(first.report, now=later)
    elif write == "a withdrawing push":
        push(alice_self, identifier="A", version=2, status="entered-in-error", now=later)
    elif write == "an acknowledgement":
        acknowledge_critical(first.version, by=dr_li, contact=ContactMethod.PHONE, now=later)
    elif write == "a doctor's release":
        release_by_doctor(first.version, by=dr_li, now=later)
    else:
        rule.delete()
    assert number(alice_self) > before


def test_an_older_version_arriving_late_leaves_the_stamp(alice_self):
    push(alice_self, identifier="A", version=2, status="corrected")
    before = number(alice_self)
    assert push(alice_self, identifier="A", version=1).outcome == "superseded"
    assert number(alice_self) == before


def test_a_page_settling_the_stamp_never_undoes_a_write(alice_self, hospital):
    """A page that read the row before a write, and settles it after, changes nothing."""
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    push(alice_self, identifier="A")
    ends = ISSUED + timedelta(days=3)
    read = PatientStamp.objects.get(patient=alice_self)
    push(alice_self, identifier="B", now=ends + HOUR)
    written = PatientStamp.objects.get(patient=alice_self)
    history_stamp(alice_self.pk, ends + HOUR, read)  # its window is over: it would settle
    assert PatientStamp.objects.get(patient=alice_self).number == written.number
