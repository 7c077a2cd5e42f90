"""Uploaded images are re-encoded, and refused when oversized or not images."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from carebridge.content import images


def upload(size=(40, 30), fmt="JPEG", exif=False, trailer=b"", mode="RGB"):
    buffer = BytesIO()
    image = Image.new(mode, size, "red")
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(buffer, fmt, **kwargs)
    return SimpleUploadedFile(f"x.{fmt.lower()}", buffer.getvalue() + trailer, "image/jpeg")


def test_it_reencodes_without_metadata_or_trailing_bytes():
    out = images.reencode(upload(exif=True, trailer=b"<script>x</script>"))
    data = out.read()
    assert b"SecretCam" not in data and b"<script>" not in data
    assert Image.open(BytesIO(data)).size == (40, 30)


def test_transparency_stays_png():
    out = images.reencode(upload(fmt="PNG", mode="RGBA"))
    assert out.name.endswith(".png")


def test_a_file_over_the_byte_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ValidationError) as error:
        images.reencode(upload())
    assert error.value.code == "too_large"


def test_an_image_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_SIDE", 20)
    with pytest.raises(ValidationError) as error:
        images.reencode(upload())
    assert error.value.code == "too_many_pixels"


def test_something_else_is_refused():
    with pytest.raises(ValidationError) as error:
        images.reencode(SimpleUploadedFile("x.jpg", b"<html>not an image</html>"))
    assert error.value.code == "not_an_image"
