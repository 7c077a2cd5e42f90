"""Images staff upload (covers, pictures in a body) are decoded and re-encoded with Pillow:
what is stored is pixels we wrote, without the upload's metadata (EXIF, GPS) or anything
smuggled after the image data, and within a size a phone can load."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4096
# Pillow's own bomb guard is a warning at 89 Mpx; refuse far earlier.
MAX_PIXELS = MAX_SIDE * MAX_SIDE


def reencode(upload, name_stem: str = "image") -> ContentFile:
    """A JPEG (or PNG when the picture has transparency) of the uploaded image; a
    ``ValidationError`` naming the problem for anything too large or not an image."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("图片不能超过 %(mb)d MB。"), code="too_large", params={"mb": MAX_UPLOAD_BYTES >> 20}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS or max(image.size) > MAX_SIDE:
                raise ValidationError(
                    _("图片尺寸不能超过 %(side)d×%(side)d 像素。"),
                    code="too_many_pixels",
                    params={"side": MAX_SIDE},
                )
            image.load()
            return _encode(image, name_stem)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(_("不是可识别的图片文件。"), code="not_an_image") from error


def _encode(image: Image.Image, name_stem: str) -> ContentFile:
    out = BytesIO()
    if image.mode in ("RGBA", "LA", "P") and "transparency" in image.info or image.mode == "RGBA":
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return ContentFile(out.getvalue(), name=f"{name_stem}.png")
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{name_stem}.jpg")
