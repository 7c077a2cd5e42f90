"""Photos with a question: re-encoded as JPEG without metadata, encrypted at rest, shown to
their owner only; a file that is no image, or too many, is a form error that records nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from carebridge.engagement.models import Consultation, ConsultPhoto

pytestmark = pytest.mark.django_db


def png(name="rash.png", size=(2400, 1200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 80)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def jpeg_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 64), (10, 10, 10))
    exif = Image.Exif()
    exif[0x8825] = {2: (31.0, 18.0, 0.0)}  # GPSInfo: a latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("wound.jpg", out.getvalue(), content_type="image/jpeg")


def ask(client, *photos):
    return client.post(
        "/h5/renai/ask/", {"question": "手臂起了红疹子，很痒", "photos": list(photos)}
    )


def test_photos_are_kept_small_and_without_metadata(alice_client, depts):
    response = ask(alice_client, png(), jpeg_with_gps())
    assert response.status_code == 302
    c = Consultation.objects.get()
    first, second = c.photos.order_by("pk")
    for photo in (first, second):
        got = alice_client.get(f"/h5/renai/consultations/{c.pk}/photos/{photo.pk}/")
        assert got["Content-Type"] == "image/jpeg" and "no-store" in got["Cache-Control"]
        image = Image.open(io.BytesIO(got.content))
        assert max(image.size) <= 1600 and not image.getexif()
    page = alice_client.get(f"/h5/renai/consultations/{c.pk}/").content.decode()
    assert f"/photos/{first.pk}/" in page


def test_photos_are_encrypted_at_rest(alice_client, depts):
    ask(alice_client, png())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT jpeg FROM engagement_consultphoto")
        (stored,) = cursor.fetchone()
    assert not stored.startswith("/9j/")  # a base64 JPEG's first bytes


def test_bob_cannot_see_alices_photo(alice_client, bob_client, bob, depts):
    ask(alice_client, png())
    photo = ConsultPhoto.objects.get()
    url = f"/h5/renai/consultations/{photo.consultation_id}/photos/{photo.pk}/"
    assert bob_client.get(url).status_code == 404


def test_a_photo_of_another_consultation_is_not_found(alice_client, depts):
    ask(alice_client, png())
    ask(alice_client)
    photo = ConsultPhoto.objects.get()
    other = Consultation.objects.exclude(pk=photo.consultation_id).get()
    assert (
        alice_client.get(f"/h5/renai/consultations/{other.pk}/photos/{photo.pk}/").status_code
        == 404
    )


@pytest.mark.parametrize(
    "files",
    [
        [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")],
        [png(f"{i}.png", (10, 10)) for i in range(4)],
    ],
)
def test_a_bad_photo_or_too_many_is_a_form_error(alice_client, depts, files):
    response = ask(alice_client, *files)
    assert response.status_code == 400
    assert "photos" in response.context["form"].errors
    assert not Consultation.objects.exists() and not ConsultPhoto.objects.exists()


def test_staff_see_the_photos_on_the_audited_page(alice_client, client, dr_chen, depts):
    alice_client.post("/h5/renai/ask/", {"question": "最近心慌胸闷，附心电图", "photos": [png()]})
    c = Consultation.objects.get()
    client.force_login(dr_chen)
    page = client.get(f"/admin/engagement/consultation/{c.pk}/change/").content.decode()
    assert "data:image/jpeg;base64," in page
