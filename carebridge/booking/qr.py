"""The check-in QR code, inline SVG (segno, as DESIGN.md names)."""

import io

import segno
from django.utils.safestring import mark_safe


def svg(payload: str) -> str:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, nl=False
    )
    # segno's output contains only the path it drew from our own payload: safe to inline.
    return mark_safe(buffer.getvalue().decode())  # noqa: S308
