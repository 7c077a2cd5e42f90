"""Photos attached to a question: checked to be images, re-encoded as JPEG no larger than
1600 px (which drops EXIF, and with it where and when the photo was taken) and kept encrypted
(base64 text in an EncryptedTextField: no file under MEDIA_ROOT, which the demo serves)."""

import base64
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTOS = 3
MAX_BYTES = 8 * 1024 * 1024  # what a phone camera's photo weighs, with room
MAX_SIDE = 1600


def clean_photos(files) -> list[str]:
    """The photos as base64 JPEG, or ValidationError on ``photos`` (nothing kept)."""
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多 %(n)d 张照片") % {"n": MAX_PHOTOS}})
    return [_jpeg(f) for f in files]


def _jpeg(upload) -> str:
    if upload.size > MAX_BYTES:
        raise ValidationError({"photos": _("每张照片不能超过 8 MB")})
    try:
        with Image.open(upload) as image:
            image.load()
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError({"photos": _("请上传 JPEG 或 PNG 照片")}) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return base64.b64encode(out.getvalue()).decode()


def jpeg_bytes(photo) -> bytes:
    return base64.b64decode(photo.jpeg)
