"""An upload (a doctor's photo) is served where no web server stands in front: the demo and
development. In production the web server serves MEDIA_ROOT (docs/deployment.md)."""

import uuid
from pathlib import Path

from django.conf import settings


def test_an_uploaded_photo_is_served_outside_production(client):
    name = f"test-{uuid.uuid4().hex}.png"
    path = Path(settings.MEDIA_ROOT) / "doctors" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    try:
        r = client.get(f"{settings.MEDIA_URL}doctors/{name}")
        assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"\x89PNG")
        assert client.get(f"{settings.MEDIA_URL}doctors/missing-{name}").status_code == 404
        assert client.get(f"{settings.MEDIA_URL}../carebridge.sqlite3").status_code in (400, 404)
    finally:
        path.unlink()
