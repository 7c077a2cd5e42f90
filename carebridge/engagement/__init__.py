"""Patients' questions (consultations) routed to departments and answered in time,
satisfaction surveys and polls, and the TCM constitution self-assessment (seed 001 §5, seed 002
items 4 and 7)."""
