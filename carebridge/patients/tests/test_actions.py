"""Adding, defaults and removal, with each institution's eligibility rules (seed 004)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from carebridge.patients.actions import (
    add_patient,
    is_referenced,
    remove_patient,
    set_default_patient,
)
from carebridge.patients.models import AccessLog, Patient, PatientPolicy
from carebridge.patients.queries import patients_of

from . import factories
from .helpers import add_verified, details

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_sms(hospital):
    """An institution that does not ask for phone codes, so rule tests stay about rules."""
    return PatientPolicy.objects.create(institution=hospital, require_phone_verification=False)


@pytest.fixture
def childrens_hospital(hospital):
    """Seed 004: only children, identified by the child's own social security number."""
    return PatientPolicy.objects.create(
        institution=hospital,
        max_age=18,
        accepted_id_types=["social_security"],
        require_phone_verification=False,
    )


def refused(call) -> dict:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.error_dict


def test_the_first_patient_becomes_the_default(alice, no_sms):
    first = add_patient(alice, details())
    second = add_patient(
        alice, details(name="李秀英", id_number=factories.resident_id(date(1962, 8, 15)))
    )
    assert first.is_default and not second.is_default
    assert first.birth_date == date(1990, 3, 7) and first.sex == "female"


def test_it_refuses_more_patients_than_the_policy_allows(alice, no_sms):
    no_sms.max_patients = 2
    no_sms.save()
    for year in (1990, 1991):
        add_patient(alice, details(id_number=factories.resident_id(date(year, 1, 1))))
    errors = refused(
        lambda: add_patient(alice, details(id_number=factories.resident_id(date(1992, 1, 1))))
    )
    assert list(errors) == [NON_FIELD_ERRORS]
    assert patients_of(alice).count() == 2


def test_archived_patients_do_not_count_towards_the_limit(alice, no_sms):
    no_sms.max_patients = 1
    no_sms.save()
    old = add_patient(alice, details())
    old.archived_at = timezone.now()
    old.save(update_fields=["archived_at"])
    assert add_patient(alice, details(id_number=factories.resident_id(date(1991, 1, 1))))


def test_it_refuses_the_same_document_twice_for_one_user(alice, bob, no_sms):
    add_patient(alice, details())
    assert list(refused(lambda: add_patient(alice, details()))) == ["id_number"]
    assert add_patient(bob, details()).owner == bob  # another user may add the same person


def test_a_childrens_hospital_accepts_a_child_by_the_childs_social_security_number(
    alice, childrens_hospital
):
    child = add_patient(
        alice,
        details(
            name="王小宝",
            id_type="social_security",
            id_number=factories.resident_id(date(2023, 4, 1), "male"),
            relation="child",
        ),
    )
    assert child.birth_date == date(2023, 4, 1) and child.sex == "male"


def test_a_childrens_hospital_refuses_a_parents_own_number(alice, childrens_hospital):
    errors = refused(
        lambda: add_patient(
            alice,
            details(id_type="social_security", relation="child"),  # born 1990: an adult
        )
    )
    assert list(errors) == ["id_number"]
    assert not Patient.objects.exists()


def test_a_childrens_hospital_refuses_a_resident_id_card(alice, childrens_hospital):
    errors = refused(
        lambda: add_patient(
            alice, details(id_number=factories.resident_id(date(2023, 4, 1)), relation="child")
        )
    )
    assert list(errors) == ["id_type"]
    assert "社会保障卡" in str(errors["id_type"][0].message)


def _on(monkeypatch, today: date) -> None:
    """Make ``today`` the institution's date for the eligibility check."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)


def _social_security_child(alice, born: date):
    return lambda: add_patient(
        alice,
        details(id_type="social_security", id_number=factories.resident_id(born, "male")),
    )


# Any day of the year, the last days of a month included (an earlier version skipped 29–31).
@pytest.mark.parametrize(
    "today", [date(2026, 3, 15), date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 1)]
)
def test_the_age_limit_counts_completed_years(alice, childrens_hospital, monkeypatch, today):
    _on(monkeypatch, today)
    eighteenth_birthday_today = today.replace(year=today.year - 18)
    errors = refused(_social_security_child(alice, eighteenth_birthday_today))
    assert list(errors) == ["id_number"]
    assert add_patient(
        alice,
        details(
            id_type="social_security",
            id_number=factories.resident_id(eighteenth_birthday_today + timedelta(days=1)),
        ),
    )


def test_a_leap_day_child_comes_of_age_on_the_first_of_march(
    alice, childrens_hospital, monkeypatch
):
    born = date(2008, 2, 29)
    _on(monkeypatch, date(2026, 3, 1))
    assert list(refused(_social_security_child(alice, born))) == ["id_number"]
    _on(monkeypatch, date(2026, 2, 28))
    assert _social_security_child(alice, born)()


def test_a_policy_age_limit_points_at_the_birth_date_for_a_passport(alice, hospital):
    PatientPolicy.objects.create(institution=hospital, max_age=14, require_phone_verification=False)
    errors = refused(
        lambda: add_patient(
            alice,
            details(
                id_type="passport", id_number="E12345678", birth_date=date(2000, 1, 1), sex="male"
            ),
        )
    )
    assert list(errors) == ["birth_date"]


def test_set_default_keeps_one_default(alice, alice_self, alice_mother):
    set_default_patient(alice_mother)
    alice_self.refresh_from_db()
    assert alice_mother.is_default and not alice_self.is_default
    assert Patient.objects.filter(owner=alice, is_default=True).count() == 1


def test_removing_an_unreferenced_patient_deletes_it_and_passes_on_the_default(
    alice, alice_self, alice_mother
):
    assert remove_patient(alice_self) is False
    assert not Patient.objects.filter(pk=alice_self.pk).exists()
    alice_mother.refresh_from_db()
    assert alice_mother.is_default


def test_removing_a_referenced_patient_archives_it(alice, alice_self, alice_mother, admin_user):
    AccessLog.objects.create(staff=admin_user, patient=alice_self, action="view")
    assert is_referenced(alice_self)
    assert remove_patient(alice_self) is True
    alice_self.refresh_from_db()
    assert alice_self.archived_at is not None and not alice_self.is_default
    assert list(patients_of(alice)) == [alice_mother]
    alice_mother.refresh_from_db()
    assert alice_mother.is_default


def test_adding_with_a_phone_code_marks_the_phone_verified(alice, account):
    patient = add_verified(alice)
    assert patient.phone_verified_at is not None
