import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from carebridge.booking.actions import check_in, set_quotas
from carebridge.booking.models import Appointment, SessionQuota
from carebridge.integrations.models import ApiClient, Scope
from carebridge.patients.tests import factories

from .helpers import WECHAT, before_visit, book

pytestmark = pytest.mark.django_db


def make_client(institution, channel="window", name="挂号窗口", scopes=None):
    """A key of ``institution``'s client: ``scopes``, or its channel's defaults."""
    client = ApiClient(institution=institution, name=name, channel=channel, scopes=scopes or [])
    key = client.set_new_key()
    client.save()
    return key


@pytest.fixture
def window_key(hospital):
    return make_client(hospital)


@pytest.fixture
def kiosk_key(hospital):
    return make_client(hospital, "kiosk", "自助机")


@pytest.fixture
def his_key(hospital):
    """The hospital's own system: it may do everything."""
    return make_client(hospital, "window", "HIS", scopes=list(Scope.values))


@pytest.fixture
def foreign_key(other_hospital):
    return make_client(other_hospital, "window", "新华窗口")


def call(client, method, path, key, body=None):
    kwargs = {"HTTP_X_API_KEY": key} if key else {}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api{path}", **kwargs)


def test_every_call_needs_a_valid_active_key(client, window_key, hospital):
    assert call(client, "get", "/integrations/whoami", None).status_code == 401
    assert call(client, "get", "/integrations/whoami", "cbk_nope_nope").status_code == 401
    assert call(client, "get", "/integrations/whoami", window_key + "x").status_code == 401
    r = call(client, "get", "/integrations/whoami", window_key)
    assert r.status_code == 200 and r.json() == {
        "client": "挂号窗口",
        "institution": "renai",
        "channel": "window",
        "scopes": ["read", "book", "cancel-own", "check-in"],
    }
    ApiClient.objects.update(is_active=False)
    assert call(client, "get", "/integrations/whoami", window_key).status_code == 401


def test_only_the_keys_hash_is_stored(window_key):
    stored = ApiClient.objects.get()
    assert window_key not in (stored.key_hash, stored.key_id)
    assert window_key.startswith(f"cbk_{stored.key_id}_")


def test_the_command_creates_a_client_and_prints_its_key_once(hospital, capsys, client):
    call_command("create_api_key", "renai", "一楼自助机", "--channel", "kiosk")
    key = capsys.readouterr().out.strip()
    assert call(client, "get", "/integrations/whoami", key).json()["channel"] == "kiosk"


def test_the_command_refuses_an_unknown_institution(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no institution"):
        call_command("create_api_key", "nowhere", "x")
    assert not ApiClient.objects.exists()


def test_sessions_list_shows_pools_and_free_slots(client, window_key, session, other_hospital):
    r = call(client, "get", "/booking/sessions", window_key)
    assert r.status_code == 200
    [s] = r.json()  # the other hospital's session is not listed
    assert (s["id"], s["fee"], s["capacity"], s["free_slots"], s["doctor"]) == (
        session.pk,
        1400,
        4,
        4,
        "王建国",
    )
    assert {p["channel"]: p["remaining"] for p in s["pools"]}["window"] == 1


def test_sessions_list_refuses_bad_dates(client, window_key, session):
    r = call(client, "get", "/booking/sessions?date_from=2026-03-10&date_to=2026-03-01", window_key)
    assert r.status_code == 400 and r.json()["code"] == "bad_dates"
    assert (
        call(client, "get", "/booking/sessions?date_from=yesterday", window_key).status_code == 422
    )


def test_free_slots_are_listed_with_their_numbers(client, window_key, session, alice, alice_self):
    book(alice_self, session, WECHAT, booked_by=alice)
    r = call(client, "get", f"/booking/sessions/{session.pk}/slots", window_key)
    assert [s["number"] for s in r.json()] == [2, 3, 4]


def test_the_window_books_a_registered_patient_by_card_number(
    client, window_key, session, alice, alice_self
):
    alice_self.set_card_number("SH0012345")
    alice_self.save(update_fields=["card_number", "card_number_hash"])
    r = call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": session.pk, "patient": {"card_number": "sh 0012345"}},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["channel"], body["queue_number"], body["patient_name"]) == ("window", 1, "王*红")
    assert SessionQuota.objects.get(session=session, channel="window").booked == 1
    assert Appointment.objects.get().api_client.name == "挂号窗口"


def test_a_walk_in_is_booked_by_id_number_and_name(client, window_key, session):
    set_quotas(session, {"wechat": 1, "window": 2, "kiosk": 1})  # room for the second try
    born = date(1970, 5, 6)
    number = factories.resident_id(born, "male", seq=77)
    r = call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {
            "session_id": session.pk,
            "patient": {"id_type": "resident_id", "id_number": number, "name": "张  三"},
        },
    )
    assert r.status_code == 201, r.content
    a = Appointment.objects.get()
    assert (a.patient, a.walk_in_name) == (None, "张 三")
    again = call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {
            "session_id": session.pk,
            "patient": {"id_type": "resident_id", "id_number": number, "name": "张三"},
        },
    )
    assert again.status_code == 409 and again.json()["code"] == "already_booked"


@pytest.mark.parametrize(
    "patient, status, code",
    [
        ({}, 400, "patient_required"),
        ({"card_number": "卡-号!"}, 400, "invalid_card_number"),
        ({"id_type": "resident_id", "id_number": "110101199003070001"}, 400, "invalid_id_number"),
        ({"id_type": "spaceship", "id_number": "X1"}, 400, "invalid_id_number"),
        ({"card_number": "NOSUCHCARD"}, 404, "patient_not_found"),
        ({"patient_id": 999999}, 404, "patient_not_found"),
    ],
)
def test_a_bad_patient_reference_is_refused_and_nothing_is_booked(
    client, window_key, session, patient, status, code
):
    r = call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": session.pk, "patient": patient},
    )
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert r.json()["message"]
    assert not Appointment.objects.exists()
    assert not SessionQuota.objects.filter(booked__gt=0).exists()


def test_a_malformed_body_is_a_422(client, window_key, session):
    r = client.post(
        "/api/booking/appointments",
        data="{not json",
        content_type="application/json",
        HTTP_X_API_KEY=window_key,
    )
    assert r.status_code in (400, 422)
    r = call(client, "post", "/booking/appointments", window_key, {"session_id": "abc"})
    assert r.status_code == 422
    assert not Appointment.objects.exists()


def test_the_window_pool_sells_out_with_a_clear_refusal(
    client, window_key, session, alice, alice_self, alice_mother
):
    call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}},
    )
    r = call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": session.pk, "patient": {"patient_id": alice_mother.pk}},
    )
    assert r.status_code == 409
    assert r.json() == {"code": "sold_out", "message": "窗口渠道的号源已约满"}


def test_refusals_speak_english_when_asked(client, window_key, session, alice_self, alice_mother):
    call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}},
    )
    r = client.post(
        "/api/booking/appointments",
        HTTP_X_API_KEY=window_key,
        HTTP_ACCEPT_LANGUAGE="en",
        content_type="application/json",
        data=json.dumps({"session_id": session.pk, "patient": {"patient_id": alice_mother.pk}}),
    )
    assert r.status_code == 409 and "sold out" in r.json()["message"].lower()


def test_a_taken_slot_is_refused(client, window_key, kiosk_key, session, alice_self, alice_mother):
    slot = session.slots.get(number=2)
    call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": session.pk, "slot_id": slot.pk, "patient": {"patient_id": alice_self.pk}},
    )
    r = call(
        client,
        "post",
        "/booking/appointments",
        kiosk_key,
        {"session_id": session.pk, "slot_id": slot.pk, "patient": {"patient_id": alice_mother.pk}},
    )
    assert (r.status_code, r.json()["code"]) == (409, "slot_taken")


def test_booking_before_release_is_refused(
    client, window_key, hospital, cardiology, dr_wang, alice_self
):
    from .helpers import make_session

    later = make_session(hospital, cardiology, dr_wang, timezone.localdate() + timedelta(days=9))
    r = call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": later.pk, "patient": {"patient_id": alice_self.pk}},
    )
    assert (r.status_code, r.json()["code"]) == (409, "not_released")


def test_cancel_check_in_call_next_and_no_show(
    client, window_key, kiosk_key, his_key, session, alice, alice_self, alice_mother, bob_self
):
    now = before_visit(session)
    a1 = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    a2 = book(alice_mother, session, WECHAT, booked_by=alice, now=now)
    a3 = book(bob_self, session, "window", now=now)
    r = call(client, "post", f"/booking/appointments/{a3.public_id}/cancel", window_key)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = call(client, "post", f"/booking/appointments/{a3.public_id}/cancel", window_key)
    assert (r.status_code, r.json()["code"]) == (409, "wrong_state")
    # The visit day: freeze "now" at the session's start for the actions.
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=session.starts_at):
        r = call(client, "post", "/booking/check-in", kiosk_key, {"code": a2.checkin_payload})
        assert r.status_code == 200, r.content
        assert (r.json()["position"], r.json()["waiting"]) == (1, 1)
        r = call(client, "post", f"/booking/appointments/{a1.public_id}/check-in", window_key)
        assert (r.json()["position"], r.json()["waiting"]) == (1, 2)
        q = call(client, "get", f"/booking/sessions/{session.pk}/queue", window_key).json()
        assert q["waiting_numbers"] == [1, 2] and q["estimated_wait_minutes"] == 16
        r = call(client, "post", f"/booking/sessions/{session.pk}/call-next", his_key)
        assert r.json()["queue_number"] == 1 and r.json()["status"] == "called"
    with mock.patch("django.utils.timezone.now", return_value=session.ends_at):
        a4 = book(None, session, "kiosk", walk_in_name="李四", person_key="k", now=now)
        r = call(client, "post", f"/booking/appointments/{a4.public_id}/no-show", his_key)
        assert r.status_code == 200 and r.json()["status"] == "no_show"


def test_a_bad_or_unknown_check_in_code_is_refused(client, kiosk_key, session):
    r = call(client, "post", "/booking/check-in", kiosk_key, {"code": "hello"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_code")
    r = call(client, "post", "/booking/check-in", kiosk_key, {"code": "CBA:nosuchcode"})
    assert r.status_code == 404


def test_call_next_on_an_empty_queue_is_refused(client, his_key, session):
    r = call(client, "post", f"/booking/sessions/{session.pk}/call-next", his_key)
    assert (r.status_code, r.json()["code"]) == (409, "queue_empty")


@pytest.fixture
def foreign(other_hospital, foreign_key):
    """An appointment at the other hospital, booked and checked in by its own window."""
    s = other_hospital.test_session
    follower = factories.follower(other_hospital.wechat_accounts.get(), "o_xinhua_1")
    patient = factories.patient(follower, name="钱多多")
    a = book(patient, s, WECHAT, booked_by=follower, now=before_visit(s))
    return s, a


ISOLATION_CALLS = [
    ("get", "/booking/sessions/{s}/slots", None),
    ("get", "/booking/sessions/{s}/queue", None),
    ("post", "/booking/sessions/{s}/call-next", None),
    ("get", "/booking/appointments/{a}", None),
    ("post", "/booking/appointments/{a}/cancel", None),
    ("post", "/booking/appointments/{a}/check-in", None),
    ("post", "/booking/appointments/{a}/no-show", None),
    ("post", "/booking/check-in", {"code": "CBA:{code}"}),
    ("post", "/booking/appointments", {"session_id": "{s}", "patient": {"patient_id": "{p}"}}),
]


@pytest.mark.parametrize("method, path, body", ISOLATION_CALLS)
def test_one_institutions_key_cannot_touch_anothers_data(
    client, his_key, foreign, method, path, body
):
    """Even a key holding every scope."""
    s, a = foreign
    values = {"s": s.pk, "a": a.public_id, "code": a.checkin_code, "p": a.patient_id}
    if body is not None:
        text = json.dumps(body)
        for k, v in values.items():
            text = text.replace(f'"{{{k}}}"', str(v)).replace(f"{{{k}}}", str(v))
        body = json.loads(text)
    before = list(Appointment.objects.values_list("id", "status", "checked_in_at"))
    r = call(client, method, path.format(**values), his_key, body)
    assert r.status_code == 404, (path, r.content)
    assert list(Appointment.objects.values_list("id", "status", "checked_in_at")) == before
    assert SessionQuota.objects.get(session=s, channel="window").booked == 0


def test_a_key_lists_only_its_institutions_sessions(client, foreign_key, session, other_hospital):
    ids = [s["id"] for s in call(client, "get", "/booking/sessions", foreign_key).json()]
    assert ids == [other_hospital.test_session.pk]


def test_the_api_is_documented_in_openapi(client):
    schema = client.get("/api/openapi.json").json()
    book = schema["paths"]["/api/booking/appointments"]["post"]
    assert book["security"] == [{"ApiKeyAuth": ["book"]}]
    assert {"201", "404", "409", "429"} <= set(book["responses"])


def test_check_in_position_counts_only_patients_waiting(
    client, window_key, session, alice, alice_self, bob_self
):
    now = before_visit(session)
    a1 = book(alice_self, session, WECHAT, booked_by=alice, now=now)
    a2 = book(bob_self, session, "window", now=now)
    check_in(a2, now=session.starts_at)
    assert Appointment.objects.get(pk=a1.pk).status == "booked"


def test_an_ineligible_patient_is_a_403_and_nothing_is_booked(
    client, window_key, session, alice_self
):
    from carebridge.patients.models import PatientPolicy

    PatientPolicy.objects.create(institution=session.institution, max_age=18)
    r = call(
        client,
        "post",
        "/booking/appointments",
        window_key,
        {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}},
    )
    assert (r.status_code, r.json()["code"]) == (403, "not_eligible")
    assert "未满18周岁" in r.json()["message"]
    assert not Appointment.objects.exists()
    assert not SessionQuota.objects.filter(booked__gt=0).exists()


def test_a_full_pool_is_answered_sold_out_before_anything_is_claimed(
    client, window_key, session, alice_self, alice_mother
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    book = {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}}
    assert call(client, "post", "/booking/appointments", window_key, book).status_code == 201
    again = {"session_id": session.pk, "patient": {"patient_id": alice_mother.pk}}
    with CaptureQueriesContext(connection) as queries:
        r = call(client, "post", "/booking/appointments", window_key, again)
    assert len(queries) == 2  # the key, then the pool with its session: nothing claimed
    assert r.status_code == 409
    assert r.json() == {"code": "sold_out", "message": "窗口渠道的号源已约满"}
    # Even the patient already booked there hears sold_out; nothing changed either way.
    r = call(client, "post", "/booking/appointments", window_key, book)
    assert r.json()["code"] == "sold_out"
    assert Appointment.objects.count() == 1
    assert SessionQuota.objects.get(session=session, channel="window").booked == 1


def test_a_bad_patient_reference_is_a_400_even_when_sold_out(
    client, window_key, session, alice_self
):
    book = {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}}
    call(client, "post", "/booking/appointments", window_key, book)
    bad = {"session_id": session.pk, "patient": {"card_number": "卡-号!"}}
    r = call(client, "post", "/booking/appointments", window_key, bad)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_card_number")


def test_a_suspended_session_with_a_full_pool_is_answered_session_closed(
    client, window_key, session, alice_self, alice_mother
):
    from carebridge.booking.actions import suspend_session

    book = {"session_id": session.pk, "patient": {"patient_id": alice_self.pk}}
    call(client, "post", "/booking/appointments", window_key, book)
    suspend_session(session, "医生外出会诊")
    again = {"session_id": session.pk, "patient": {"patient_id": alice_mother.pk}}
    r = call(client, "post", "/booking/appointments", window_key, again)
    assert (r.status_code, r.json()["code"]) == (409, "session_closed")


def test_another_institutions_session_is_a_404_for_booking(
    client, window_key, other_hospital, alice_self
):
    body = {"session_id": other_hospital.test_session.pk, "patient": {"patient_id": alice_self.pk}}
    r = call(client, "post", "/booking/appointments", window_key, body)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert not Appointment.objects.exists()


def test_another_institutions_or_an_archived_patient_is_not_found_for_booking(
    client, window_key, session, other_hospital, alice_self, alice_mother
):
    stranger = factories.patient(
        factories.follower(other_hospital.wechat_accounts.get(), "o_xinhua_user"), name="陈静"
    )
    alice_mother.archived_at = timezone.now()
    alice_mother.save(update_fields=["archived_at"])
    for patient in (stranger, alice_mother):
        body = {"session_id": session.pk, "patient": {"patient_id": patient.pk}}
        r = call(client, "post", "/booking/appointments", window_key, body)
        assert (r.status_code, r.json()["code"]) == (404, "patient_not_found")
    assert not Appointment.objects.exists()
    assert SessionQuota.objects.get(session=session, channel="window").booked == 0
