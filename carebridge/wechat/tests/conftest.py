import pytest
from django.contrib.auth.models import User

from carebridge.outbox.tests.clock import Clock


@pytest.fixture
def operations(client):
    """The hospital's operations admin (a superuser of this deployment), signed in."""
    user = User.objects.create_superuser("ops", "ops@renai.example.cn", "x-long-password-1")
    client.force_login(user)
    return client


@pytest.fixture
def clock(monkeypatch):
    """Simulated time: ``clock.advance(hours=24)`` (outbox/tests/clock.py)."""
    return Clock(monkeypatch)
