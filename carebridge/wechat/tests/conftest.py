import pytest
from django.contrib.auth.models import User


@pytest.fixture
def operations(client):
    """The hospital's operations admin (a superuser of this deployment), signed in."""
    user = User.objects.create_superuser("ops", "ops@renai.example.cn", "x-long-password-1")
    client.force_login(user)
    return client
