"""The API never answers 500 to bad input: ids beyond 64 bits, booleans for ids, dates beyond
the calendar's arithmetic, overlong or NUL-holding text. Each is a 422 naming the field, before
any query runs, and nothing changes. Run on SQLite and PostgreSQL (the two fail differently:
OverflowError, "bigint out of range")."""

import pytest

from carebridge.booking.models import Appointment, SessionQuota
from carebridge.integrations.models import Scope

from .test_api import call, make_client

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63


@pytest.fixture
def his_key(hospital):
    return make_client(hospital, "window", "HIS", scopes=list(Scope.values))


def book_body(session, patient, changes=None):
    """A booking that would succeed for ``patient``, but for ``changes``."""
    return {"session_id": session.pk, "patient": patient, **(changes or {})}


def refused(r, field):
    """A 422 whose errors name ``field``."""
    assert r.status_code == 422, r.content
    fields = [e["loc"][-1] for e in r.json()["detail"]]
    assert field in fields, r.json()
    return r


@pytest.mark.parametrize(
    "path, field",
    [
        ("/booking/sessions?department_id=1e20", "department_id"),
        (f"/booking/sessions?department_id={TOO_BIG}", "department_id"),
        ("/booking/sessions?department_id=99999999999999999999", "department_id"),
        ("/booking/sessions?doctor_id=0", "doctor_id"),
        ("/booking/sessions?doctor_id=true", "doctor_id"),
        ("/booking/sessions?date_from=9999-12-30", "date_from"),
        ("/booking/sessions?date_from=1999-12-31", "date_from"),
        ("/booking/sessions?date_to=2101-01-01", "date_to"),
        (f"/booking/sessions/{TOO_BIG}/slots", "session_id"),
        ("/booking/sessions/0/queue", "session_id"),
        ("/booking/sessions/-3/slots", "session_id"),
        (f"/booking/appointments/{'0' * 65}", "public_id"),
    ],
)
def test_a_bad_query_or_path_value_is_a_422_naming_it(client, his_key, session, path, field):
    refused(call(client, "get", path, his_key), field)


def test_call_next_refuses_an_id_beyond_64_bits(client, his_key, session):
    refused(call(client, "post", f"/booking/sessions/{TOO_BIG}/call-next", his_key), "session_id")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"session_id": TOO_BIG}, "session_id"),
        ({"session_id": True}, "session_id"),  # it booked session 1
        ({"session_id": "1"}, "session_id"),
        ({"session_id": 1.0}, "session_id"),
        ({"session_id": 0}, "session_id"),
        ({"slot_id": True}, "slot_id"),
        ({"slot_id": -1}, "slot_id"),
        ({"slot_id": TOO_BIG}, "slot_id"),
        ({"patient": {"patient_id": True}}, "patient_id"),
        ({"patient": {"patient_id": TOO_BIG}}, "patient_id"),
        ({"patient": {"card_number": "A" * 65}}, "card_number"),
        ({"patient": {"card_number": "A\x00"}}, "card_number"),
        ({"patient": {"id_type": "x" * 33, "id_number": "1"}}, "id_type"),
        ({"patient": {"id_type": "resident_id", "id_number": "1" * 65}}, "id_number"),
        ({"patient": {"id_type": "passport", "id_number": "E1234\x005"}}, "id_number"),
        ({"patient": {"id_type": "passport", "id_number": "E12345", "name": "张" * 51}}, "name"),
        ({"patient": {"id_type": "passport", "id_number": "E12345", "name": "张\x00"}}, "name"),
    ],
)
def test_a_bad_booking_field_is_a_422_naming_it_and_books_nothing(
    client, his_key, session, alice_self, changes, field
):
    body = book_body(session, {"patient_id": alice_self.pk}, changes)
    refused(call(client, "post", "/booking/appointments", his_key, body), field)
    assert not Appointment.objects.exists()
    assert not SessionQuota.objects.filter(booked__gt=0).exists()


@pytest.mark.parametrize("code", ["CBA:" + "x" * 125, "CBA:abc\x00"])
def test_a_bad_check_in_code_is_a_422_naming_it(client, his_key, session, code):
    refused(call(client, "post", "/booking/check-in", his_key, {"code": code}), "code")


@pytest.mark.parametrize("name", ["<script>", "Robert'); DROP TABLE", "王5"])
def test_a_walk_ins_name_is_checked_like_a_patients(client, his_key, session, name):
    patient = {"id_type": "passport", "id_number": "E12345678", "name": name}
    r = call(client, "post", "/booking/appointments", his_key, book_body(session, patient))
    assert (r.status_code, r.json()["code"]) == (400, "invalid_name"), r.content
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "path, field",
    [
        (f"/institutions/renai/departments/{TOO_BIG}", "department_id"),
        ("/institutions/renai/departments/0", "department_id"),
        (f"/institutions/renai/doctors/{TOO_BIG}", "doctor_id"),
        (f"/institutions/renai/departments?campus={TOO_BIG}", "campus"),
        (f"/institutions/renai/doctors?department={TOO_BIG}", "department"),
        (f"/institutions/renai/doctors?offset={2**70}", "offset"),
        ("/institutions/renai/doctors?limit=0", "limit"),
        ("/institutions/renai/doctors?limit=100000", "limit"),
        ("/institutions/ren%00ai/doctors", "slug"),
        (f"/institutions/{'a' * 51}/doctors", "slug"),
    ],
)
def test_the_catalogue_refuses_bad_ids_and_slugs_with_a_422(client, hospital, path, field):
    refused(client.get(f"/api{path}"), field)


def test_the_catalogue_still_says_404_for_an_unknown_slug_or_id(client, hospital):
    assert client.get("/api/institutions/nosuch/doctors").status_code == 404
    assert client.get("/api/institutions/renai/departments/12345").status_code == 404


# Found by the property-based test (carebridge/tests/test_api_fuzz.py):


@pytest.mark.parametrize("body", ["{not json", "\x80\x81", "[1, 2"])
def test_a_body_that_is_not_json_is_a_400_in_the_apis_one_shape(client, his_key, session, body):
    for path in ("/booking/appointments", "/booking/check-in"):
        r = client.post(
            f"/api{path}", data=body, content_type="application/json", HTTP_X_API_KEY=his_key
        )
        assert r.status_code == 400
        assert r.json() == {"code": "malformed_body", "message": "请求体不是有效的 JSON"}
    assert not Appointment.objects.exists()
    r = client.post(
        "/api/booking/check-in",
        data="{",
        content_type="application/json",
        HTTP_X_API_KEY=his_key,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.json()["message"] == "The request body is not valid JSON"


def test_a_sessions_clock_times_fit_their_documented_schema(client, his_key, session):
    """ "08:00:00" is not JSON Schema's "time" (which needs an offset): the document says what
    the API sends."""
    import re

    schema = client.get("/api/openapi.json").json()
    documented = schema["components"]["schemas"]["SessionOut"]["properties"]
    [listed] = call(client, "get", "/booking/sessions", his_key).json()
    for name in ("start_time", "end_time"):
        assert documented[name].get("format") != "time"
        assert re.match(documented[name]["pattern"], listed[name]), listed[name]
    assert (listed["start_time"], listed["end_time"]) == ("08:00:00", "12:00:00")
