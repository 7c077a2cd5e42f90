"""A walk-in's name is masked on staff pages as a registered patient's is: lists, the queue and
the appointment's own page show 周*英, never the name in full."""

import pytest
from django.contrib.auth.models import User

from .helpers import before_visit, book

pytestmark = pytest.mark.django_db

FULL, MASKED = "周桂英", "周*英"


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345"))
    return client


@pytest.fixture
def walk_in(session):
    return book(
        None, session, "window", walk_in_name=FULL, person_key="w", now=before_visit(session)
    )


def test_the_appointment_names_a_walk_in_masked(walk_in):
    assert walk_in.masked_patient_name == MASKED


def test_a_registered_patient_is_masked_the_same_way(session, alice, alice_self):
    a = book(alice_self, session, "wechat", booked_by=alice, now=before_visit(session))
    assert a.masked_patient_name == alice_self.masked_name()


@pytest.mark.parametrize(
    "page",
    [
        "/admin/booking/appointment/",
        "/admin/booking/appointment/{appointment}/change/",
        "/admin/booking/clinicsession/{session}/queue/",
    ],
)
def test_staff_pages_show_a_walk_in_masked(admin_client, walk_in, page):
    url = page.format(appointment=walk_in.pk, session=walk_in.session_id)
    response = admin_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert MASKED in content
    assert FULL not in content


def test_no_shows_list_shows_a_walk_in_masked(admin_client, walk_in):
    from carebridge.booking.models import AppointmentStatus

    walk_in.status = AppointmentStatus.NO_SHOW
    walk_in.save(update_fields=["status"])
    content = admin_client.get("/admin/booking/noshow/").content.decode()
    assert MASKED in content and FULL not in content


def test_saving_the_change_form_keeps_the_walk_ins_name(admin_client, walk_in):
    """The name left the form; saving it must not blank the stored name."""
    from carebridge.booking.models import Appointment

    url = f"/admin/booking/appointment/{walk_in.pk}/change/"
    admin_client.post(url, {"_save": "Save"})
    assert Appointment.objects.get(pk=walk_in.pk).walk_in_name == FULL
