"""危急值: a report with a critical item is neither shown nor announced to the patient until a
clinician has acknowledged it, saying how the patient was reached."""

from datetime import timedelta

import pytest

from carebridge.results.actions import acknowledge_critical
from carebridge.results.errors import NothingToDo
from carebridge.results.models import Blocker, ContactMethod, Flag, Report, ReportVersion
from carebridge.results.signals import report_released

from .helpers import LOW_POTASSIUM, NOW, blood_count, item, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def released():
    """The versions announced to the (future) report-ready message, in order."""
    seen = []

    def receiver(sender, version, released_at, **kwargs):
        seen.append((version.pk, released_at))

    report_released.connect(receiver)
    yield seen
    report_released.disconnect(receiver)


def test_a_critical_value_holds_the_report_until_a_clinician_acknowledges_it(
    alice, alice_self, dr_li, released
):
    version = push(alice_self, result=LOW_POTASSIUM).version
    assert version.critical and version.observations.get().flag == Flag.CRITICAL_LOW
    assert version.release_blockers() == [Blocker.CRITICAL]
    assert not Report.objects.for_account(alice).visible_to_patient(NOW + timedelta(days=30))
    assert released == []

    later = NOW + timedelta(minutes=20)
    moment = acknowledge_critical(
        version, by=dr_li, contact=ContactMethod.PHONE, note="已电话通知本人复诊", now=later
    )
    version.refresh_from_db()
    assert moment == version.released_at == later
    assert (version.critical_acknowledged_by, version.critical_contact) == (dr_li, "phone")
    assert version.critical_acknowledged_at == later
    assert list(Report.objects.for_account(alice).visible_to_patient(later)) == [version.report]
    assert released == [(version.pk, later)]


def test_a_his_flag_of_hh_or_aa_is_critical_too(alice_self):
    for number, flag in enumerate(["HH", "AA", "LL"], start=1):
        items = [item("肌钙蛋白", "阳性", interpretation=flag)]
        version = push(alice_self, identifier=f"C-{number}", result=items).version
        assert version.critical, flag


def test_a_critical_value_is_acknowledged_once(alice_self, dr_li, released):
    version = push(alice_self, result=LOW_POTASSIUM).version
    acknowledge_critical(version, by=dr_li, contact=ContactMethod.IN_PERSON, now=NOW)
    with pytest.raises(NothingToDo):
        acknowledge_critical(version, by=dr_li, contact=ContactMethod.PHONE, now=NOW)
    assert ReportVersion.objects.get().critical_contact == "in_person"
    assert len(released) == 1


def test_a_report_without_critical_values_needs_no_acknowledgement(alice_self, dr_li, released):
    version = push(alice_self).version
    assert not version.critical and version.released_at == NOW
    assert released == [(version.pk, NOW)]
    with pytest.raises(NothingToDo):
        acknowledge_critical(version, by=dr_li, contact=ContactMethod.PHONE, now=NOW)


def test_a_correction_with_a_critical_value_hides_the_report_again(alice, alice_self, dr_li):
    push(alice_self)
    corrected = push(alice_self, version=2, status="corrected", result=LOW_POTASSIUM).version
    assert not Report.objects.for_account(alice).visible_to_patient(NOW)
    acknowledge_critical(corrected, by=dr_li, contact=ContactMethod.PHONE, now=NOW)
    assert Report.objects.for_account(alice).visible_to_patient(NOW).get().current == corrected


def test_a_preliminary_critical_value_is_acknowledged_but_not_shown(alice, alice_self, dr_li):
    version = push(alice_self, status="preliminary", result=LOW_POTASSIUM).version
    assert acknowledge_critical(version, by=dr_li, contact=ContactMethod.WARD, now=NOW) is None
    assert not Report.objects.for_account(alice).visible_to_patient(NOW)
    final = push(alice_self, version=2, status="final", result=blood_count()).version
    assert final.released_at == NOW
