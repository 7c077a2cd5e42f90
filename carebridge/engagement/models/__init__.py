"""The models of consultations, surveys and self-assessment, one module per subject."""
