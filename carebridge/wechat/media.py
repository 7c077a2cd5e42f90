"""Pictures as WeChat's uploads accept them: a cover thumbnail (material/add_material,
type=thumb: JPG of at most 64 KB) and a picture in an article's body (media/uploadimg: JPG or
PNG under 1 MB). Our pictures were re-encoded on upload already; this only fits them."""

from io import BytesIO

from PIL import Image

THUMB_BYTES = 64 * 1024
BODY_IMAGE_BYTES = 1024 * 1024
# WeChat shows a cover at 2.35:1 (900×383) in lists; larger only costs bytes.
THUMB_SIZE = (900, 383)
BODY_SIDE = 1080


def _jpeg(image: Image.Image, limit: int) -> bytes:
    """The picture as a JPEG under ``limit`` bytes: quality stepped down, then the size halved."""
    image = image.convert("RGB")
    while True:
        for quality in (85, 70, 55, 40):
            out = BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() < limit:
                return out.getvalue()
        image = image.resize((max(image.width // 2, 1), max(image.height // 2, 1)))


def thumb_jpeg(data: bytes | None) -> bytes:
    """The cover as a thumbnail WeChat takes; a plain one when the article has no cover
    (draft/add requires a thumb_media_id)."""
    if not data:
        return _jpeg(Image.new("RGB", THUMB_SIZE, (7, 193, 96)), THUMB_BYTES)
    with Image.open(BytesIO(data)) as image:
        image.thumbnail(THUMB_SIZE)
        return _jpeg(image, THUMB_BYTES)


def body_image(data: bytes) -> bytes:
    """A body picture as a JPEG under 1 MB, at most 1080 pixels wide (a phone's width)."""
    with Image.open(BytesIO(data)) as image:
        image.thumbnail((BODY_SIDE, BODY_SIDE * 4))
        return _jpeg(image, BODY_IMAGE_BYTES)
