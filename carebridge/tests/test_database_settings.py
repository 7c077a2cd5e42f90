"""What our PostgreSQL connections ask of the server: nothing a pooler in transaction mode
(PgBouncer) refuses or loses between transactions."""

import json
import os
import subprocess
import sys

import pytest

CODE = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'], default=str))"
)


def database_settings(**env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "carebridge.settings",
            "DATABASE_URL": "postgres://app@db.example.org/carebridge",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_connections_send_no_startup_options():
    """A session setting sent at connection start (plan_cache_mode once was) is refused by
    PgBouncer unless listed in ignore_startup_parameters, and lost in transaction mode."""
    db = database_settings()
    assert "options" not in db.get("OPTIONS", {})
    assert not db.get("DISABLE_SERVER_SIDE_CURSORS")


@pytest.mark.parametrize("mode, disabled", [("transaction", True), ("session", False)])
def test_transaction_pooling_uses_client_side_cursors_only(mode, disabled):
    db = database_settings(DATABASE_POOLING=mode)
    assert bool(db.get("DISABLE_SERVER_SIDE_CURSORS")) is disabled
