"""Production refuses to start without its secrets; `carebridge check` says what is missing."""

import os
import subprocess
import sys

import pytest
from django.core import checks

from carebridge.wechat.credentials import credentials_from_environ, sandbox_credentials

PROD = {
    "CAREBRIDGE_ENV": "production",
    "SECRET_KEY": "Vq9#xL2m!Zr7@pW4" * 4,
    "ALLOWED_HOSTS": "wx.example.org",
    # Patients' personal data: encryption keys and a text-message gateway (patients app).
    "FIELD_ENCRYPTION_KEYS": "Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtZmVybmV0LWs=",
    "FIELD_HASH_KEY": "h" * 32,
    "SMS_BACKEND": "carebridge.patients.sms.BaseSmsBackend",
    "PATH": os.environ.get("PATH", ""),
}


def start_django(env):
    code = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "carebridge.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = start_django(env)
    assert result.returncode != 0
    assert missing in result.stderr and "ImproperlyConfigured" in result.stderr


def test_production_refuses_incomplete_account_credentials():
    result = start_django({**PROD, "WECHAT_RENAI_APPID": "wx123", "WECHAT_RENAI_MODE": "safe"})
    assert result.returncode != 0
    assert "renai" in result.stderr and "WECHAT_<SLUG>_APPID" in result.stderr


def test_production_starts_with_its_secrets():
    env = {
        **PROD,
        "WECHAT_RENAI_APPID": "wx123",
        "WECHAT_RENAI_APPSECRET": "s",
        "WECHAT_RENAI_TOKEN": "t",
        "WECHAT_RENAI_AESKEY": "a" * 43,
    }
    result = start_django(env)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_an_unknown_message_mode_is_refused():
    with pytest.raises(ValueError, match="MODE"):
        credentials_from_environ(False, {"WECHAT_X_APPID": "wx1", "WECHAT_X_MODE": "secret"})


def test_credentials_come_from_the_environment_by_slug():
    found = credentials_from_environ(
        False,
        {
            "WECHAT_NORTH_CLINIC_APPID": "wxnorth",
            "WECHAT_NORTH_CLINIC_APPSECRET": "sec",
            "WECHAT_NORTH_CLINIC_TOKEN": "tok",
            "WECHAT_NORTH_CLINIC_MODE": "plaintext",
        },
    )
    creds = found["north-clinic"]
    assert (creds.app_id, creds.app_secret, creds.token, creds.mode) == (
        "wxnorth",
        "sec",
        "tok",
        "plaintext",
    )
    assert creds.complete


def test_sandbox_credentials_are_stable_and_valid():
    one, two = sandbox_credentials("demo"), sandbox_credentials("demo")
    assert one == two and one.complete and len(one.aes_key) == 43


@pytest.mark.django_db
def test_check_warns_outside_production(settings):
    settings.PRODUCTION = False
    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "carebridge.W001" in ids


@pytest.mark.django_db
def test_check_reports_sandbox_urls_and_missing_credentials_in_production(settings, account):
    settings.PRODUCTION = True
    settings.WECHAT_API_BASE = "http://127.0.0.1:8001/sandbox/wx"
    settings.WECHAT_CREDENTIALS = {}
    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert {"carebridge.E001", "carebridge.E002"} <= ids


@pytest.mark.django_db
def test_check_warns_of_an_account_without_its_original_id_in_production(settings, account):
    """Its callback cannot refuse messages addressed to another account (callback.py)."""
    settings.PRODUCTION = True
    assert "carebridge.W005" not in {
        m.id for m in checks.run_checks(include_deployment_checks=True)
    }
    account.original_id = ""
    account.save(update_fields=["original_id"])
    [warning] = [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id == "carebridge.W005"
    ]
    assert "'renai' has no original id" in warning.msg
