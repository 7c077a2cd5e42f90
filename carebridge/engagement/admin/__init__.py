"""The back office of consultations, surveys and self-assessment, one module per subject."""

from . import consultations  # noqa: F401
