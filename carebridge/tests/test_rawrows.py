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


def test_insert_writes_the_row_save_would_write(hospital, alice, alice_self):
    from carebridge.integrations.models import ApiClient
    from carebridge.patients.models import AccessLog

    client = ApiClient(institution=hospital, name="窗口", channel="window")
    client.set_new_key()
    client.save()
    fields = {"api_client": client, "patient": alice_self, "action": "api_read", "ip": "10.0.0.1"}
    by_hand = AccessLog(detail="详情", **fields)
    rawrows.insert(by_hand)
    by_orm = AccessLog(detail="详情", **fields)
    by_orm.save()

    assert by_hand.pk and by_hand.pk != by_orm.pk
    assert not by_hand._state.adding and by_hand._state.db == "default"
    stored = _values(AccessLog.objects.get(pk=by_hand.pk))
    assert stored == {**_values(AccessLog.objects.get(pk=by_orm.pk)), "id": by_hand.pk,
                      "created_at": stored["created_at"]}  # fmt: skip
    assert stored["created_at"] == by_hand.created_at  # auto_now_add, set as save() sets it


def test_insert_encrypts_as_save_does(alice):
    patient = Patient(owner=alice, name="李四", sex="male", birth_date=date(1980, 1, 2),
                      id_type="passport", relation="self")  # fmt: skip
    patient.set_id_number("E12345678")
    patient.set_phone("13900000000")
    rawrows.insert(patient)

    stored = Patient.objects.get(pk=patient.pk)
    assert stored.id_number == "E12345678" and stored.phone == "13900000000"
    raw = _read(f"SELECT id_number FROM {Patient._meta.db_table} WHERE id = %s", [patient.pk])
    assert "E12345678" not in raw[0][0]  # encrypted at rest


def test_insert_leaves_to_save_what_it_does_not_handle(alice, alice_self):
    from django.db.models.signals import post_save

    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    post_save.connect(receiver, sender=Patient)
    try:
        patient = Patient(owner=alice, name="王五", sex="male", birth_date=date(1980, 1, 2),
                          id_type="passport", relation="father")  # fmt: skip
        patient.set_id_number("E87654321")
        patient.set_phone("13900000001")
        rawrows.insert(patient)
    finally:
        post_save.disconnect(receiver, sender=Patient)
    assert seen == [(patient.pk, True)]


def test_plain_is_false_where_insert_would_call_save(alice):
    from django.db.models.signals import post_save

    assert rawrows.plain(Patient)

    def receiver(**kwargs):
        pass

    post_save.connect(receiver, sender=Patient)
    try:
        assert not rawrows.plain(Patient)
    finally:
        post_save.disconnect(receiver, sender=Patient)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="for PostgreSQL's CTEs")
def test_insert_select_writes_one_row_per_source_row_as_insert_would(hospital, alice_self):
    from carebridge.integrations.models import ApiClient
    from carebridge.patients.models import AccessLog

    client = ApiClient(institution=hospital, name="窗口", channel="window")
    client.set_new_key()
    client.save()
    row = AccessLog(
        api_client=client, patient=alice_self, action="api_read", detail="详情", ip="10.0.0.1"
    )
    sql, params = rawrows.insert_select(
        row, "(SELECT 7 AS n UNION ALL SELECT 8) src", {"reason": "src.n::text"}
    )
    inserted = _read(f"WITH w AS ({sql}) SELECT id FROM w ORDER BY id", params)
    assert len(inserted) == 2
    stored = AccessLog.objects.filter(pk__in=[i for (i,) in inserted]).order_by("id")
    assert [log.reason for log in stored] == ["7", "8"]
    for log in stored:
        assert (log.patient_id, log.action, log.detail, log.ip) == (
            alice_self.pk,
            "api_read",
            "详情",
            "10.0.0.1",
        )
        assert log.created_at == row.created_at  # auto_now_add, as insert sets it
    none = rawrows.insert_select(row, "(SELECT 1 WHERE false) src", {})
    assert _read(f"WITH w AS ({none[0]}) SELECT count(*) FROM w", none[1]) == [(0,)]
