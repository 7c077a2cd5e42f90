"""rawrows: instances from a hand-written join equal what the ORM loads, on both databases."""

from datetime import date, datetime

import pytest
from django.db import connection

from carebridge.lib import rawrows
from carebridge.patients.models import Patient, PatientPolicy

pytestmark = pytest.mark.django_db


def _read(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_joined_row_gives_the_instances_the_orm_would_load(hospital, alice_self):
    PatientPolicy.objects.create(institution=hospital, max_age=18, accepted_id_types=["passport"])
    sql = (
        f"SELECT {rawrows.columns(Patient, 'p')}, {rawrows.columns(PatientPolicy, 'pp')}"
        f" FROM {Patient._meta.db_table} p, {PatientPolicy._meta.db_table} pp WHERE p.id = %s"
    )
    patient, policy = rawrows.instances(_read(sql, [alice_self.pk])[0], Patient, PatientPolicy)

    assert _values(patient) == _values(Patient.objects.get(pk=alice_self.pk))
    assert _values(policy) == _values(PatientPolicy.objects.get())
    # Converted as the ORM converts: decrypted, dates and aware datetimes, JSON.
    assert patient.id_number == alice_self.id_number and patient.id_number.startswith("110")
    assert isinstance(patient.birth_date, date)
    assert isinstance(patient.created_at, datetime) and patient.created_at.tzinfo is not None
    assert policy.accepted_id_types == ["passport"]
    assert not patient._state.adding and patient._state.db == "default"


def test_a_left_join_without_a_row_is_none(hospital, alice_self):
    sql = (
        f"SELECT {rawrows.columns(Patient, 'p')}, {rawrows.columns(PatientPolicy, 'pp')}"
        f" FROM {Patient._meta.db_table} p"
        f" LEFT JOIN {PatientPolicy._meta.db_table} pp ON pp.id = -1 WHERE p.id = %s"
    )
    patient, policy = rawrows.instances(_read(sql, [alice_self.pk])[0], Patient, PatientPolicy)
    assert patient.pk == alice_self.pk and policy is None


def test_a_row_of_the_wrong_width_is_refused(alice_self):
    row = _read(f"SELECT {rawrows.columns(Patient)} FROM {Patient._meta.db_table}", [])[0]
    with pytest.raises(ValueError):
        rawrows.instance(Patient, row[:-1])
    with pytest.raises(ValueError):
        rawrows.instances(row + (1,), Patient)
