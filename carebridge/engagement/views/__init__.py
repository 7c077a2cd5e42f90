"""The patient's pages of consultations, surveys and self-assessment, one module per subject."""
