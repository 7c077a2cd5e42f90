import pytest

from .clock import Clock


@pytest.fixture
def clock(monkeypatch):
    """Simulated time (clock.py)."""
    return Clock(monkeypatch)
