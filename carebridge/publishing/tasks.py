"""Outbox handlers of the push calendar."""
