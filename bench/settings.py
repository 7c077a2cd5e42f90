"""The project's settings plus the callback benchmark's baseline endpoint (never used in
production)."""

from carebridge.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
