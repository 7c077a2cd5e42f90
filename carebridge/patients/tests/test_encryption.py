"""Encryption at rest: the database holds tokens, never the numbers; keys rotate."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from carebridge.patients import crypto
from carebridge.patients.checks import check_field_keys
from carebridge.patients.models import HASH_ID, Patient

from . import factories

pytestmark = pytest.mark.django_db


def raw_row(patient) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Patient._meta.db_table} WHERE id = %s", [patient.pk])
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_the_raw_row_holds_no_plaintext_number(alice):
    patient = factories.patient(alice, phone="13912345678")
    patient.set_card_number("A0012345")
    patient.save(update_fields=["card_number", "card_number_hash"])
    row = raw_row(patient)
    dump = " ".join(str(v) for v in row.values())
    for secret in (patient.id_number, "13912345678", "A0012345", patient.id_number[-6:], "5678"):
        assert secret not in dump
    assert row["id_number"].startswith("gAAAA")  # a Fernet token
    assert Patient.objects.get(pk=patient.pk).id_number == patient.id_number


def test_an_encrypted_column_cannot_be_filtered_by_value(alice):
    with pytest.raises(FieldError):
        Patient.objects.filter(id_number="110101199003070248").exists()


def test_the_keyed_hash_finds_the_exact_number_only(alice, alice_self):
    assert (
        Patient.objects.get(id_number_hash=crypto.blind_index(HASH_ID, alice_self.id_number))
        == alice_self
    )
    assert not Patient.objects.filter(
        id_number_hash=crypto.blind_index(HASH_ID, alice_self.id_number[:-1] + "0")
    ).exists()


def test_the_keyed_hash_depends_on_the_secret_key(settings):
    before = crypto.blind_index(HASH_ID, "110101199003070248")
    settings.FIELD_HASH_KEY = "another-key"
    assert crypto.blind_index(HASH_ID, "110101199003070248") != before


def test_rotation_re_encrypts_every_row_with_the_new_key(alice, bob, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    patients = [factories.patient(alice), factories.patient(bob, phone="13700001111")]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Patient.objects.get(pk=patients[0].pk).id_number == patients[0].id_number

    out = StringIO()
    call_command("rotate_patient_keys", "--batch-size", "1", stdout=out)
    assert "re-encrypted 2 patient(s)" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone: every row still opens
    for patient in patients:
        fresh = Patient.objects.get(pk=patient.pk)
        assert (fresh.id_number, fresh.phone) == (patient.id_number, patient.phone)
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(crypto.DecryptionError):
        Patient.objects.get(pk=patients[0].pk)


def test_a_missing_key_fails_loudly_instead_of_showing_ciphertext(alice, settings):
    patient = factories.patient(alice)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        Patient.objects.get(pk=patient.pk)


def test_the_system_check_names_a_bad_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    settings.FIELD_HASH_KEY = ""
    assert {e.id for e in check_field_keys()} == {"patients.E002", "patients.E003"}
