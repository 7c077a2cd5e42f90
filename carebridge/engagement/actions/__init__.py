"""The writes of consultations, surveys and self-assessment, one module per subject."""
