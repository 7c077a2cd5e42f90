"""The project's settings plus the benchmark's baseline endpoint (never used in production)."""

from carebridge.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING["loggers"]["carebridge"]["level"] = "ERROR"  # noqa: F405
