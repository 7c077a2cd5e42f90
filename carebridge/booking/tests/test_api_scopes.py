"""Least privilege: every endpoint of the JSON API is called with a key holding each scope
alone. A key without the endpoint's scope gets 403 ``scope_missing`` naming it and changes
nothing (checked in the database); a key with it gets its answer. The OpenAPI document lists
the same scopes."""

from datetime import timedelta
from unittest import mock

import pytest

from carebridge.billing.models import Bill, DepositMovement
from carebridge.billing.tests.bill_helpers import bill_body, make_bill, paid_bill
from carebridge.booking.actions import check_in
from carebridge.booking.models import (
    Appointment,
    BookingBan,
    BookingPolicy,
    CancelledBy,
    SessionQuota,
    Slot,
    WaitRecord,
)
from carebridge.integrations.models import ApiClient, Scope
from carebridge.outbox.models import OutboxMessage
from carebridge.patients.models import AccessLog
from carebridge.results.models import Report, ReportVersion, Visit
from carebridge.results.tests.helpers import push, report_body, visit_body

from .helpers import WECHAT, before_visit, book, make_session
from .test_api import call, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(hospital, cardiology, dr_wang, tomorrow, alice, alice_self, bob_self):
    """A session with room in the window pool; bob's appointment booked at the window; alice's
    booked through WeChat and checked in on the day."""
    session = make_session(
        hospital,
        cardiology,
        dr_wang,
        tomorrow,
        capacity=6,
        quota_wechat=2,
        quota_window=3,
        quota_kiosk=1,
    )
    window = book(bob_self, session, "window", now=before_visit(session))
    wechat = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    check_in(wechat, now=session.starts_at)
    return {"session": session, "window": window, "wechat": wechat}


def db_state():
    """Everything a call to the booking API could change."""
    return (
        list(
            Appointment.objects.order_by("pk").values_list(
                "pk", "status", "checked_in_at", "called_at", "cancelled_at", "no_show_at"
            )
        ),
        list(SessionQuota.objects.order_by("pk").values_list("pk", "booked")),
        list(Slot.objects.order_by("pk").values_list("pk", "booked")),
        BookingBan.objects.count(),
        WaitRecord.objects.count(),
        AccessLog.objects.count(),
        OutboxMessage.objects.count(),
        list(Report.objects.order_by("pk").values_list("pk", "current_id", "withdrawn_at")),
        ReportVersion.objects.count(),
        list(Visit.objects.order_by("pk").values_list("pk", "version")),
        list(Bill.objects.order_by("pk").values_list("pk", "state", "content_hash", "invoice_url")),
        list(DepositMovement.objects.order_by("pk").values_list("pk", "balance_after")),
    )


# (method, path, body, the scopes that allow it, when, the answer with one of them). "when" is
# the moment the call makes sense: before the visit, at its start, or after its end.
ENDPOINTS = [
    ("get", "/booking/sessions", None, {Scope.READ}, "before", 200),
    ("get", "/booking/sessions/{s}/slots", None, {Scope.READ}, "before", 200),
    ("get", "/booking/sessions/{s}/queue", None, {Scope.READ}, "start", 200),
    ("post", "/booking/appointments", "book", {Scope.BOOK}, "before", 201),
    ("get", "/booking/appointments/{a}", None, {Scope.READ}, "before", 200),
    (
        "post",
        "/booking/appointments/{a}/cancel",
        None,
        {Scope.CANCEL_OWN, Scope.CANCEL_ANY},
        "before",
        200,
    ),
    ("post", "/booking/appointments/{a}/check-in", None, {Scope.CHECK_IN}, "start", 200),
    ("post", "/booking/check-in", "code", {Scope.CHECK_IN}, "start", 200),
    ("post", "/booking/sessions/{s}/call-next", None, {Scope.CALL_NEXT}, "start", 200),
    ("post", "/booking/appointments/{a}/no-show", None, {Scope.NO_SHOW}, "end", 200),
    ("post", "/results/reports", "report", {Scope.REPORTS_PUSH}, "end", 201),
    ("post", "/results/reports/batch", "batch", {Scope.REPORTS_PUSH}, "end", 200),
    ("post", "/results/reports/{r}/withdraw", "withdraw", {Scope.REPORTS_PUSH}, "end", 200),
    ("post", "/results/visits", "visit", {Scope.REPORTS_PUSH}, "end", 201),
    ("post", "/billing/bills", "bill", {Scope.BILLS_PUSH}, "end", 201),
    ("post", "/billing/bills/{b}/cancel", "cancel", {Scope.BILLS_PUSH}, "end", 200),
    ("get", "/billing/bills/{b}", None, {Scope.BILLS_READ, Scope.BILLS_PUSH}, "end", 200),
    ("put", "/billing/bills/{b}/invoice", "invoice", {Scope.BILLS_PUSH}, "end", 200),
    ("post", "/billing/deposits/top-ups", "top-up", {Scope.DEPOSITS_TOP_UP}, "end", 201),
]
# Endpoints any key may call, or none need: the public catalogue, whoami, the health check.
UNSCOPED = [
    "/health",
    "/integrations/whoami",
    "/institutions/{slug}/departments",
    "/institutions/{slug}/departments/{department_id}",
    "/institutions/{slug}/doctors",
    "/institutions/{slug}/doctors/{doctor_id}",
]


def request_for(world, path, body, alice_mother):
    session, appointment = world["session"], world["window"]
    path = path.format(s=session.pk, a=appointment.public_id, r="{r}", b="{b}")
    if body == "book":
        body = {"session_id": session.pk, "patient": {"patient_id": alice_mother.pk}}
    elif body == "code":
        body = {"code": appointment.checkin_payload}
    elif body == "report":
        body = report_body(alice_mother, identifier="LIS-SCOPE")
    elif body == "batch":
        report = report_body(alice_mother, identifier="LIS-BATCH")
        body = {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": report}]}
    elif body == "withdraw":
        path = path.format(r=push(alice_mother, identifier="LIS-OLD").report.identifier)
        body = {}
    elif body == "visit":
        body = visit_body(alice_mother)
    elif body == "bill":
        body = bill_body(alice_mother, identifier="MZ-SCOPE")
    elif body == "cancel":
        path, body = path.format(b=make_bill(alice_mother, "MZ-CANCEL").his_id), {}
    elif body == "invoice":
        path = path.format(b=paid_bill(alice_mother, "MZ-INVOICE").his_id)
        body = {"number": "3100226001-1", "url": "https://einvoice.example.cn/1"}
    elif body == "top-up":
        body = {
            "subject": {"patient_id": alice_mother.pk},
            "amount": 10000,
            "channel": "cash",
            "receipt_no": "SJ-SCOPE",
            "cashier": "收费员01",
        }
    if "{b}" in path:
        path = path.format(b=make_bill(alice_mother, "MZ-READ").his_id)
    return path, body


def moment(world, when):
    session = world["session"]
    return {
        "before": before_visit(session),
        "start": session.starts_at,
        "end": session.ends_at,
    }[when]


@pytest.mark.parametrize(
    "method, path, body, allowed, when, status",
    ENDPOINTS,
    ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS],
)
def test_every_endpoint_refuses_a_key_without_its_scope_and_serves_one_with_it(
    client, hospital, world, alice_mother, method, path, body, allowed, when, status
):
    path, body = request_for(world, path, body, alice_mother)
    with mock.patch("django.utils.timezone.now", return_value=moment(world, when)):
        for scope in Scope.values:
            if scope in allowed:
                continue
            key = make_client(hospital, "window", f"only {scope}", scopes=[scope])
            before = db_state()
            r = call(client, method, path, key, body)
            assert r.status_code == 403, (scope, r.content)
            answer = r.json()
            assert answer["code"] == "scope_missing"
            assert all(name in answer["message"] for name in allowed), answer
            assert db_state() == before, scope
        key = make_client(hospital, "window", "allowed", scopes=sorted(allowed)[:1])
        r = call(client, method, path, key, body)
    assert r.status_code == status, r.content


def in_docs(path: str) -> str:
    """A path of ENDPOINTS as the OpenAPI document writes it."""
    names = {
        "{s}": "{session_id}",
        "{a}": "{public_id}",
        "{r}": "{identifier}",
        "{b}": "{identifier}",
    }
    for short, name in names.items():
        path = path.replace(short, name)
    return path


def test_the_matrix_covers_every_endpoint_and_the_docs_say_the_same_scopes(client):
    """A new endpoint must join ENDPOINTS (with its scopes) or UNSCOPED."""
    schema = client.get("/api/openapi.json").json()
    documented = {
        (method, path.removeprefix("/api")): set(operation["x-scopes"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    matrix = {(method, path): allowed for method, path, _b, allowed, _w, _s in ENDPOINTS}
    expected = {(method, in_docs(path)): allowed for (method, path), allowed in matrix.items()}
    expected.update({("get", path): set() for path in UNSCOPED})
    assert documented == expected
    for method, path in matrix:
        path = in_docs(path)
        operation = schema["paths"][f"/api{path}"][method]
        assert "Scope:" in operation["description"]
        assert all(f"`{s}`" in operation["description"] for s in documented[(method, path)])
        assert {"401", "403"} <= set(operation["responses"])


def test_endpoints_needing_no_scope_answer_a_key_with_none(client, hospital, world):
    key = make_client(hospital, "window", "nothing")
    ApiClient.objects.update(scopes=[])
    department = world["session"].department
    doctor = world["session"].doctor
    for path in UNSCOPED:
        path = path.format(slug="renai", department_id=department.pk, doctor_id=doctor.pk)
        assert call(client, "get", path, key).status_code == 200, path
    assert call(client, "get", "/booking/sessions", key).status_code == 403


def test_cancel_own_cancels_only_what_its_channel_booked(client, hospital, world, alice_mother):
    session, wechat = world["session"], world["wechat"]
    kiosk_booking = book(alice_mother, session, "kiosk", now=before_visit(session))
    window_key = make_client(hospital, "window", "窗口", scopes=[Scope.CANCEL_OWN])
    with mock.patch("django.utils.timezone.now", return_value=before_visit(session)):
        for other in (kiosk_booking, wechat):
            before = db_state()
            r = call(client, "post", f"/booking/appointments/{other.public_id}/cancel", window_key)
            assert (r.status_code, r.json()["code"]) == (403, "scope_missing")
            assert "cancel-any" in r.json()["message"]
            assert db_state() == before
        kiosk_key = make_client(hospital, "kiosk", "自助机", scopes=[Scope.CANCEL_OWN])
        r = call(
            client, "post", f"/booking/appointments/{kiosk_booking.public_id}/cancel", kiosk_key
        )
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
    kiosk_booking.refresh_from_db()
    assert kiosk_booking.cancelled_by == CancelledBy.PATIENT


def test_cancel_own_keeps_the_patients_deadline_and_cancel_any_does_not(
    client, hospital, world, alice_mother
):
    session = world["session"]
    kiosk_booking = book(alice_mother, session, "kiosk", now=before_visit(session))
    policy = BookingPolicy.for_institution(hospital)
    too_late = session.cancel_deadline(policy) + timedelta(minutes=1)
    kiosk_key = make_client(hospital, "kiosk", "自助机", scopes=[Scope.CANCEL_OWN])
    path = f"/booking/appointments/{kiosk_booking.public_id}/cancel"
    with mock.patch("django.utils.timezone.now", return_value=too_late):
        before = db_state()
        r = call(client, "post", path, kiosk_key)
        assert (r.status_code, r.json()["code"]) == (409, "cancel_too_late")
        assert db_state() == before
        staff_key = make_client(hospital, "window", "HIS", scopes=[Scope.CANCEL_ANY])
        r = call(client, "post", path, staff_key)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    kiosk_booking.refresh_from_db()
    assert kiosk_booking.cancelled_by == CancelledBy.STAFF


def test_cancel_any_cancels_a_wechat_booking(client, hospital, world, alice, alice_mother):
    session = world["session"]
    booked = book(alice_mother, session, WECHAT, booked_by=alice, now=before_visit(session))
    key = make_client(hospital, "window", "HIS", scopes=[Scope.CANCEL_ANY])
    with mock.patch("django.utils.timezone.now", return_value=before_visit(session)):
        r = call(client, "post", f"/booking/appointments/{booked.public_id}/cancel", key)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_a_scope_refusal_speaks_english_when_asked(client, hospital, world):
    key = make_client(hospital, "window", "只读", scopes=[Scope.READ])
    r = client.post(
        f"/api/booking/sessions/{world['session'].pk}/call-next",
        HTTP_X_API_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 403
    assert r.json() == {
        "code": "scope_missing",
        "message": "This key does not have the call-next scope",
    }


def test_a_key_without_scopes_is_still_told_apart_from_no_key(client, hospital, world):
    """401 for no key or a wrong one, 403 for a good key lacking the scope."""
    key = make_client(hospital, "window", "只读", scopes=[Scope.READ])
    path = f"/booking/sessions/{world['session'].pk}/call-next"
    assert call(client, "post", path, None).status_code == 401
    assert call(client, "post", path, key + "x").status_code == 401
    assert call(client, "post", path, key).status_code == 403
