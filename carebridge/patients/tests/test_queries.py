from datetime import date

import pytest
from django.http import Http404

from carebridge.patients.models import Patient
from carebridge.patients.queries import age_on, get_patient_for, patients_of

pytestmark = pytest.mark.django_db


def test_patients_of_lists_only_the_users_active_patients_default_first(
    alice, bob, alice_self, alice_mother
):
    from django.utils import timezone

    from . import factories

    factories.patient(bob, name="赵大")
    archived = factories.patient(
        alice, name="周小", id_number=factories.resident_id(date(2001, 1, 1))
    )
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])

    assert list(patients_of(alice)) == [alice_self, alice_mother]


def test_get_patient_for_refuses_another_users_patient(alice, bob, alice_self):
    with pytest.raises(Http404):
        get_patient_for(bob, alice_self.pk)
    with pytest.raises(Patient.DoesNotExist):
        get_patient_for(bob, alice_self.pk)
    assert get_patient_for(alice, str(alice_self.pk)) == alice_self


def test_get_patient_for_treats_garbage_ids_as_not_found(alice):
    with pytest.raises(Http404):
        get_patient_for(alice, "1;drop")


@pytest.mark.parametrize(
    "day, years",
    [(date(2008, 3, 6), 17), (date(2008, 3, 7), 18), (date(1990, 3, 7), 0)],
)
def test_age_on_counts_completed_years(alice, day, years):
    from . import factories

    child = factories.patient(alice, birth_date=date(1990, 3, 7))
    assert age_on(child, day) == years
