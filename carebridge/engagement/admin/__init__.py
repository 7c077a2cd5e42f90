"""The back office of consultations, surveys and self-assessment, one module per subject."""

from . import constitution, consultations, polls, surveys  # noqa: F401
