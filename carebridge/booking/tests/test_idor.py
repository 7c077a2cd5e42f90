"""IDOR, in one place: every H5 page of the patients and booking apps that takes an id is tried
with ids that are not the signed-in user's (bob asks for alice's patient and appointment; both
ask for another hospital's department, session and slot), and every JSON API endpoint that takes
an id with another institution's ids. Each answers 404, exactly as for an id that does not exist,
and changes nothing. A new page or endpoint taking an id fails the completeness checks below
until it is added here."""

import pytest
from django.urls import reverse

from carebridge.booking.models import Appointment, SessionQuota
from carebridge.patients.models import Patient
from carebridge.patients.urls import urlpatterns as patient_urls
from carebridge.sandbox.models import SandboxMessage

from ..urls import urlpatterns as booking_urls
from .helpers import WECHAT, before_visit, book
from .test_api import ISOLATION_CALLS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(session, alice, alice_self, alice_mother, other_hospital):
    """Alice's patients and appointment at renai; another hospital's department, session, slot."""
    appointment = book(alice_self, session, WECHAT, booked_by=alice, now=before_visit(session))
    foreign = other_hospital.test_session
    return {
        "patient": alice_mother.pk,
        "appointment": appointment.pk,
        "department": foreign.department_id,
        "session": foreign.pk,
        "slot": foreign.slots.first().pk,
        "own_session": session.pk,
        "own_slot": session.slots.get(number=4).pk,
    }


# (url name, kwargs from the world, method, POST data from the world): who asks is bob.
H5_CASES = [
    ("patients:edit", {"pk": "patient"}, "get", None),
    ("patients:edit", {"pk": "patient"}, "post", {"relation": "other", "new_card_number": "B9"}),
    ("patients:edit", {"pk": "patient"}, "post", {"new_phone": "13700002222", "send_code": "1"}),
    ("patients:default", {"pk": "patient"}, "post", {}),
    ("patients:delete", {"pk": "patient"}, "get", None),
    ("patients:delete", {"pk": "patient"}, "post", {}),
    ("booking:department", {"department_id": "department"}, "get", None),
    ("booking:session", {"session_id": "session"}, "get", None),
    ("booking:confirm", {"session_id": "session", "slot_id": "slot"}, "get", None),
    ("booking:confirm", {"session_id": "session", "slot_id": "slot"}, "post", {}),
    # An own session with another session's slot, and alice's patient in the form.
    ("booking:confirm", {"session_id": "own_session", "slot_id": "slot"}, "get", None),
    ("booking:confirm", {"session_id": "own_session", "slot_id": "own_slot"}, "post", "patient"),
    ("booking:appointment", {"appointment_id": "appointment"}, "get", None),
    ("booking:cancel", {"appointment_id": "appointment"}, "post", {}),
]


def state():
    return (
        list(Patient.objects.order_by("pk").values_list("pk", "relation", "is_default", "phone")),
        list(Appointment.objects.order_by("pk").values_list("pk", "status")),
        list(SessionQuota.objects.order_by("pk").values_list("pk", "booked")),
        SandboxMessage.objects.count(),
    )


@pytest.mark.parametrize("name, kwargs, method, data", H5_CASES)
def test_another_users_or_institutions_id_is_a_404_and_changes_nothing(
    bob_client, bob, bob_self, world, name, kwargs, method, data
):
    url = reverse(name, kwargs={"slug": "renai", **{k: world[v] for k, v in kwargs.items()}})
    if data == "patient":
        data = {"patient": world["patient"]}
    before = state()
    response = getattr(bob_client, method)(url, data) if method == "post" else bob_client.get(url)
    assert response.status_code == 404, (url, response.status_code)
    assert state() == before


def test_every_h5_page_taking_an_id_is_tried():
    with_ids = {
        f"{app}:{p.name}"
        for app, patterns in (("patients", patient_urls), ("booking", booking_urls))
        for p in patterns
        if p.pattern.converters
    }
    assert with_ids == {name for name, *_ in H5_CASES}


def test_every_api_endpoint_taking_an_id_is_tried(client):
    """The booking API's paths with an id (from its OpenAPI schema), and its endpoints that take
    ids in the body, are all in test_api.ISOLATION_CALLS."""
    schema = client.get("/api/openapi.json").json()
    with_ids = {
        (method, path.removeprefix("/api"))
        for path, operations in schema["paths"].items()
        if path.startswith("/api/booking/")
        for method, operation in operations.items()
        if "{" in path or "requestBody" in operation
    }
    tried = {
        (method, path.replace("{s}", "{session_id}").replace("{a}", "{public_id}"))
        for method, path, _body in ISOLATION_CALLS
    }
    assert with_ids == tried
