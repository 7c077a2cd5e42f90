"""Masking: the exact on-screen forms, and a sweep of every page that shows a patient (the owner's
H5 pages, the back office, the API) for a full ID, phone or card number."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from carebridge.patients.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    "value, masked",
    [
        ("110101199001011234", "110***********1234"),  # resident ID (the example)
        ("11010119900101123X", "110***********123X"),
        ("E12345678", "E******78"),  # passport
        ("H12345678", "H******78"),  # Hong Kong / Macau permit
        ("SH0012345", "S******45"),  # card number
        ("A1234", "*****"),
        ("", ""),
    ],
)
def test_numbers_are_masked_to_their_ends(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    "value, masked",
    [("13812345678", "138****5678"), ("1234567", "*******"), ("", "")],
)
def test_phones_are_masked_to_prefix_and_last_four(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    "value, masked", [("王小红", "王*红"), ("欧阳娜娜", "欧**娜"), ("李四", "李*"), ("王", "*")]
)
def test_names_keep_their_first_and_last_character_for_staff(value, masked):
    assert mask_name(value) == masked


@pytest.mark.django_db
def test_no_page_shows_a_whole_number(alice_client, client, account, alice, alice_self):
    from django.utils import timezone

    from carebridge.booking.tests.helpers import before_visit, book, make_session
    from carebridge.integrations.models import ApiClient

    hospital = account.institution
    campus = hospital.campuses.create(name="总院", address="路", latitude=31, longitude=121)
    department = hospital.departments.create(campus=campus, name="心内科")
    doctor = hospital.doctors.create(name="王建国", title="主任医师")
    doctor.departments.add(department)
    session = make_session(hospital, department, doctor, timezone.localdate() + timedelta(days=1))
    alice_self.set_card_number("SH0012345")
    alice_self.save(update_fields=["card_number", "card_number_hash"])
    appointment = book(alice_self, session, "wechat", booked_by=alice, now=before_visit(session))
    secrets = [alice_self.id_number, alice_self.phone, "SH0012345"]

    pages = [
        reverse("patients:list", args=["renai"]),
        reverse("patients:edit", args=["renai", alice_self.pk]),
        reverse("patients:delete", args=["renai", alice_self.pk]),
        reverse("booking:confirm", args=["renai", session.pk, session.slots.last().pk]),
        reverse("booking:appointments", args=["renai"]),
        reverse("booking:appointment", args=["renai", appointment.pk]),
    ]
    for url in pages:
        html = alice_client.get(url).content.decode()
        assert not any(s in html for s in secrets), url
    assert alice_self.masked_id_number() in alice_client.get(pages[0]).content.decode()

    admin = User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345")
    client.force_login(admin)
    back_office = [
        reverse("admin:patients_patient_changelist"),
        reverse("admin:patients_patient_change", args=[alice_self.pk]),
        reverse("admin:booking_appointment_changelist"),
        reverse("admin:booking_appointment_change", args=[appointment.pk]),
        reverse("admin:booking_clinicsession_queue", args=[session.pk]),
        reverse("admin:patients_accesslog_changelist"),
    ]
    for url in back_office:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not any(s in html for s in secrets), url

    found = client.post(
        reverse("admin:patients_patient_find"), {"number": alice_self.id_number}
    ).content.decode()
    assert "王*红" in found and not any(s in found for s in secrets)

    api = ApiClient(institution=hospital, name="窗口", channel="window")
    key = api.set_new_key()
    api.save()
    answer = client.get(f"/api/booking/appointments/{appointment.public_id}", HTTP_X_API_KEY=key)
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert answer.json()["patient_name"] == "王*红"
    assert not any(s in text for s in secrets)
