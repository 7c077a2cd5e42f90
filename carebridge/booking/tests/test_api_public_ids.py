"""The JSON API names appointments by a random public id: a client cannot walk sequential ids
to reach bookings made elsewhere, and the sequential id is never shown."""

import uuid
from unittest import mock

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from carebridge.booking.models import Appointment
from carebridge.integrations.models import Scope

from .helpers import WECHAT, before_visit, book
from .test_api import call, make_client

pytestmark = pytest.mark.django_db

APPOINTMENT_CALLS = [
    ("get", "/booking/appointments/{}"),
    ("post", "/booking/appointments/{}/cancel"),
    ("post", "/booking/appointments/{}/check-in"),
    ("post", "/booking/appointments/{}/no-show"),
]


@pytest.fixture
def his_key(hospital):
    return make_client(hospital, "window", "HIS", scopes=list(Scope.values))


@pytest.fixture
def appointment(session, alice, alice_self):
    return book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))


def test_booking_answers_with_the_public_id_and_no_sequential_one(
    client, his_key, session, alice_self
):
    body = {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}}
    r = call(client, "post", "/booking/appointments", his_key, body)
    assert r.status_code == 201, r.content
    booked = Appointment.objects.get()
    assert r.json()["id"] == str(booked.public_id)
    assert uuid.UUID(r.json()["id"]).version == 4
    ids = {key: value for key, value in r.json().items() if key.endswith("id")}
    assert ids == {
        "id": str(booked.public_id),
        "session_id": session.pk,
        "patient_id": alice_self.pk,
    }
    shown = call(client, "get", f"/booking/appointments/{r.json()['id']}", his_key)
    assert shown.status_code == 200 and shown.json()["id"] == r.json()["id"]


def test_every_appointment_has_its_own_public_id(session, alice, alice_self, alice_mother):
    first = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    second = book(alice_mother, session, WECHAT, booked_by=alice, now=before_visit(session))
    assert first.public_id != second.public_id


@pytest.mark.parametrize("method, path", APPOINTMENT_CALLS)
@pytest.mark.parametrize(
    "ref", ["pk", "pk+1", "random uuid", "not a uuid", "0", "-1", "9223372036854775808"]
)
def test_a_sequential_random_or_malformed_id_is_not_found_and_changes_nothing(
    client, his_key, appointment, method, path, ref
):
    value = {
        "pk": appointment.pk,
        "pk+1": appointment.pk + 1,
        "random uuid": uuid.uuid4(),
    }.get(ref, ref)
    before = list(Appointment.objects.values_list("pk", "status", "checked_in_at", "no_show_at"))
    with mock.patch("django.utils.timezone.now", return_value=appointment.session.ends_at):
        r = call(client, method, path.format(value), his_key)
    assert (r.status_code, r.json()["code"]) == (404, "not_found"), r.content
    after = list(Appointment.objects.values_list("pk", "status", "checked_in_at", "no_show_at"))
    assert after == before


@pytest.mark.parametrize("method, path", APPOINTMENT_CALLS)
def test_another_institutions_public_id_is_not_found(
    client, other_hospital, appointment, method, path
):
    foreign_key = make_client(other_hospital, "window", "新华 HIS", scopes=list(Scope.values))
    with mock.patch("django.utils.timezone.now", return_value=appointment.session.ends_at):
        r = call(client, method, path.format(appointment.public_id), foreign_key)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert Appointment.objects.get().status == "booked"


def test_the_public_id_in_any_spelling_uuid_takes_is_the_same_appointment(
    client, his_key, appointment
):
    for spelling in (appointment.public_id.hex, str(appointment.public_id).upper()):
        r = call(client, "get", f"/booking/appointments/{spelling}", his_key)
        assert r.status_code == 200 and r.json()["id"] == str(appointment.public_id)


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_appointment_its_own_public_id(
    session, alice, alice_self, alice_mother
):
    book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    book(alice_mother, session, WECHAT, booked_by=alice, now=before_visit(session))
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("booking", "0005_policy_cancellation_template")])
        executor = MigrationExecutor(connection)
        executor.migrate([("booking", "0006_appointment_public_id")])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT public_id FROM {Appointment._meta.db_table}")
            ids = [row[0] for row in cursor.fetchall()]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    assert len(ids) == 2 and None not in ids and len(set(ids)) == 2
