"""Hospital systems reading patients' data through the JSON API leave the same audit trail as
staff in the back office: who (the API client), which patient, how, when, from where."""

import json
from unittest import mock

import pytest
from django.contrib.auth.models import Permission, User
from django.db import IntegrityError, transaction

from carebridge.institutions.models import StaffMember
from carebridge.integrations.models import ApiClient, Scope
from carebridge.patients.models import AccessLog

from .helpers import WECHAT, before_visit, book

pytestmark = pytest.mark.django_db


def make_client(institution, channel="window", name="挂号窗口"):
    """A client that may do everything: the log is what is tested here."""
    client = ApiClient(
        institution=institution, name=name, channel=channel, scopes=list(Scope.values)
    )
    key = client.set_new_key()
    client.save()
    return client, key


@pytest.fixture
def window(hospital):
    return make_client(hospital)


def call(client, method, path, key, body=None):
    kwargs = {"HTTP_X_API_KEY": key, "REMOTE_ADDR": "10.9.8.7"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api{path}", **kwargs)


@pytest.fixture
def appointment(session, alice, alice_self):
    return book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))


def test_reading_an_appointment_is_logged_under_the_api_clients_name(
    client, window, appointment, alice_self
):
    api_client, key = window
    r = call(client, "get", f"/booking/appointments/{appointment.public_id}", key)
    assert r.status_code == 200
    log = AccessLog.objects.get()
    assert (log.api_client, log.staff, log.patient, log.action, log.ip) == (
        api_client,
        None,
        alice_self,
        "api_read",
        "10.9.8.7",
    )
    assert log.detail == f"api GET /api/booking/appointments/{appointment.public_id}"
    assert str(api_client) in str(log)


def test_finding_a_patient_by_card_number_is_a_logged_search(client, window, session, alice_self):
    alice_self.set_card_number("SH0012345")
    alice_self.save(update_fields=["card_number", "card_number_hash"])
    api_client, key = window
    r = call(
        client,
        "post",
        "/booking/appointments",
        key,
        {"session_id": session.pk, "patient": {"card_number": "SH0012345"}},
    )
    assert r.status_code == 201
    logs = list(AccessLog.objects.order_by("id").values_list("action", "patient", "api_client"))
    assert logs == [
        ("search", alice_self.pk, api_client.pk),
        ("api_read", alice_self.pk, api_client.pk),
    ]
    assert "SH0012345" not in AccessLog.objects.first().detail


def test_booking_a_patient_by_id_is_logged_once_with_the_appointment(
    client, window, session, alice_self
):
    """The look is written with the booking, in its transaction: one row when it is booked, none
    when it is refused, whose answer shows nobody's data."""
    api_client, key = window
    body = {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}}
    r = call(client, "post", "/booking/appointments", key, body)
    assert r.status_code == 201
    log = AccessLog.objects.get()
    assert (log.api_client, log.patient, log.action, log.ip, log.detail) == (
        api_client,
        alice_self,
        "api_read",
        "10.9.8.7",
        "api booking",
    )
    assert log.created_at is not None
    r = call(client, "post", "/booking/appointments", key, body)
    assert r.status_code == 409  # the window's one place is taken: sold out
    assert AccessLog.objects.count() == 1


def test_a_search_that_finds_nobody_is_logged_too_and_books_nothing(client, window, session):
    _, key = window
    r = call(
        client,
        "post",
        "/booking/appointments",
        key,
        {"session_id": session.pk, "patient": {"card_number": "NOSUCH"}},
    )
    assert r.status_code == 404
    log = AccessLog.objects.get()
    assert (log.action, log.patient) == ("search", None)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/booking/appointments/{a}/cancel", None),
        ("post", "/booking/appointments/{a}/check-in", None),
        ("post", "/booking/check-in", {"code": "{code}"}),
    ],
)
def test_every_answer_showing_a_patients_appointment_is_logged(
    client, window, appointment, alice_self, method, path, body
):
    _, key = window
    if body is not None:
        body = {"code": appointment.checkin_payload}
    with mock.patch("django.utils.timezone.now", return_value=appointment.session.starts_at):
        r = call(client, method, path.format(a=appointment.public_id), key, body)
    assert r.status_code == 200, r.content
    assert list(AccessLog.objects.values_list("action", "patient")) == [("api_read", alice_self.pk)]


def test_call_next_logs_the_patient_called(client, window, appointment, alice_self):
    from carebridge.booking.actions import check_in

    _, key = window
    check_in(appointment, now=appointment.session.starts_at)
    with mock.patch("django.utils.timezone.now", return_value=appointment.session.starts_at):
        r = call(client, "post", f"/booking/sessions/{appointment.session_id}/call-next", key)
    assert r.status_code == 200
    assert AccessLog.objects.get().patient == alice_self


def test_a_walk_in_has_no_patient_record_to_log(client, window, session):
    _, key = window
    walk_in = book(
        None, session, "window", walk_in_name="张三", person_key="w", now=before_visit(session)
    )
    assert call(client, "get", f"/booking/appointments/{walk_in.public_id}", key).status_code == 200
    assert not AccessLog.objects.exists()


def test_a_refused_call_reads_nothing_and_logs_nothing(client, other_hospital, appointment):
    _, foreign_key = make_client(other_hospital, name="新华窗口")
    r = call(client, "get", f"/booking/appointments/{appointment.public_id}", foreign_key)
    assert r.status_code == 404
    assert not AccessLog.objects.exists()


def test_a_log_names_exactly_one_looker(hospital, alice_self, window):
    api_client, _ = window
    staff = User.objects.create_user("clerk")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.create(patient=alice_self, action="view")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.create(
            patient=alice_self, action="view", staff=staff, api_client=api_client
        )


def test_an_api_client_with_audit_entries_cannot_be_deleted(client, window, appointment):
    from django.db.models import ProtectedError

    api_client, key = window
    call(client, "get", f"/booking/appointments/{appointment.public_id}", key)
    with pytest.raises(ProtectedError):
        api_client.delete()


def test_the_institutions_staff_see_its_api_clients_entries(
    client, window, appointment, other_hospital
):
    from django.test import Client

    _, key = window
    call(client, "get", f"/booking/appointments/{appointment.public_id}", key)

    def staff_client(username, institution):
        user = User.objects.create_user(username, is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_accesslog"))
        StaffMember.objects.create(user=user, institution=institution)
        c = Client()
        c.force_login(user)
        return c

    url = "/admin/patients/accesslog/"
    mine = staff_client("clerk", appointment.session.institution).get(url)
    assert [log.api_client.name for log in mine.context["cl"].queryset] == ["挂号窗口"]
    assert "挂号窗口" in mine.content.decode()
    theirs = staff_client("charlie", other_hospital).get(url)
    assert list(theirs.context["cl"].queryset) == []
