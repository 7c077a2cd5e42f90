"""A production start refuses what is unsafe: DEBUG, a short or published SECRET_KEY, the
development field keys, the sandbox's SMS backend; Django's warnings that matter there
(W009, W018, insecure cookies on an https site) are errors that `carebridge serve` stops on."""

import os
import subprocess
import sys

import pytest
from django.core import checks

from carebridge import cli
from carebridge.lib import deployment
from carebridge.tests.ports import free_port
from carebridge.wechat.tests.test_cli import COMPLETE, carebridge
from carebridge.wechat.tests.test_settings import PROD, start_django

GOOD_FERNET_KEY = PROD["FIELD_ENCRYPTION_KEYS"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "variable, value, says",
    [
        ("DEBUG", "true", "DEBUG must be off in production"),
        ("SECRET_KEY", "x", "SECRET_KEY is the placeholder 'x'"),
        ("SECRET_KEY", deployment.DEVELOPMENT_SECRET_KEY, "SECRET_KEY is the development default"),
        ("SECRET_KEY", "Vq9#xL2m!Zr7@pW4" * 3, "SECRET_KEY must be at least 50 characters"),
        ("SECRET_KEY", "django-insecure-" + "Vq9#xL2m!Zr7@pW4" * 3, "not start with"),
        ("SECRET_KEY", "x" * 50, "at least 5 different characters"),
        (
            "FIELD_ENCRYPTION_KEYS",
            f"{GOOD_FERNET_KEY},{deployment.DEVELOPMENT_FIELD_ENCRYPTION_KEY}",
            "FIELD_ENCRYPTION_KEYS: key 2 is the development key",
        ),
        (
            "FIELD_HASH_KEY",
            deployment.DEVELOPMENT_FIELD_HASH_KEY,
            "FIELD_HASH_KEY is the development key",
        ),
        ("SMS_BACKEND", deployment.SANDBOX_SMS_BACKEND, "SMS_BACKEND is the sandbox's"),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(variable, value, says):
    result = start_django({**PROD, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and says in result.stderr


@pytest.mark.slow
def test_carebridge_serve_names_every_unsafe_setting_without_a_traceback(tmp_path):
    unsafe = {
        "DEBUG": "1",
        "SECRET_KEY": deployment.DEVELOPMENT_SECRET_KEY,
        "FIELD_HASH_KEY": deployment.DEVELOPMENT_FIELD_HASH_KEY,
        "SMS_BACKEND": deployment.SANDBOX_SMS_BACKEND,
    }
    result = carebridge("serve", CAREBRIDGE_VAR_DIR=str(tmp_path), **{**COMPLETE, **unsafe})
    assert result.returncode != 0
    assert result.stderr.startswith("carebridge serve: cannot start: unsafe in production:")
    for variable in unsafe:
        assert f"  - {variable}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "site_url, secure", [("https://wx.example.org", True), ("http://127.0.0.1:8000", False)]
)
def test_cookies_are_secure_whenever_the_site_is_https(site_url, secure, tmp_path):
    code = (
        "from carebridge import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    env = {"PATH": os.environ.get("PATH", ""), "CAREBRIDGE_VAR_DIR": str(tmp_path)}
    env.update(CAREBRIDGE_ENV="development", SITE_URL=site_url)
    read = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.split() == [str(secure)] * 2


@pytest.fixture
def production(settings):
    """This process's settings made production's with nothing unsafe; each test spoils one."""
    settings.PRODUCTION = True
    settings.DEBUG = False
    settings.SECRET_KEY = COMPLETE["SECRET_KEY"]
    settings.FIELD_ENCRYPTION_KEYS = [GOOD_FERNET_KEY]
    settings.FIELD_HASH_KEY = PROD["FIELD_HASH_KEY"]
    settings.SMS_BACKEND = PROD["SMS_BACKEND"]
    settings.WECHAT_API_BASE = "https://api.weixin.qq.com"
    settings.WECHAT_OPEN_BASE = "https://open.weixin.qq.com"
    settings.SITE_URL = "https://wx.example.org"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    return settings


def errors() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks(include_deployment_checks=True) if m.is_serious()]


@pytest.mark.django_db
def test_a_safe_production_has_no_errors(production):
    assert errors() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "setting, value, django_id, names",
    [
        ("SECRET_KEY", "Vq9#" * 15, None, "SECRET_KEY"),  # long, but 4 distinct characters
        ("DEBUG", True, "security.W018", "DEBUG"),
        ("SESSION_COOKIE_SECURE", False, "security.W012", "SESSION_COOKIE_SECURE"),
        ("CSRF_COOKIE_SECURE", False, "security.W016", "CSRF_COOKIE_SECURE"),
    ],
)
def test_djangos_deployment_warnings_that_matter_are_errors(
    production, setting, value, django_id, names
):
    setattr(production, setting, value)
    promoted = [m for m in errors() if m.id == "carebridge.E011"]
    assert len(promoted) == 1 and names in promoted[0].msg
    assert promoted[0].obj == f"Django {django_id or 'security.W009'}"


@pytest.mark.django_db
def test_insecure_cookies_are_no_error_on_a_plain_http_site(production):
    production.SITE_URL = "http://10.0.0.5:8000"
    production.SESSION_COOKIE_SECURE = production.CSRF_COOKIE_SECURE = False
    assert errors() == []


@pytest.mark.django_db
def test_the_checks_ask_what_settings_refuse_of_the_settings_in_force(production):
    production.FIELD_HASH_KEY = deployment.DEVELOPMENT_FIELD_HASH_KEY
    production.SMS_BACKEND = deployment.SANDBOX_SMS_BACKEND
    found = [m.msg for m in errors() if m.id == "carebridge.E010"]
    assert [msg.split()[0] for msg in found] == ["FIELD_HASH_KEY", "SMS_BACKEND"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "setting, value",
    [("SECRET_KEY", "Vq9#" * 15), ("DEBUG", True), ("SESSION_COOKIE_SECURE", False)],
)
def test_serve_stops_on_them(production, monkeypatch, setting, value):
    started = []
    monkeypatch.setattr(cli.os, "execvp", lambda file, args: started.append(args))
    monkeypatch.setenv("CAREBRIDGE_ENV", os.environ.get("CAREBRIDGE_ENV", "development"))
    monkeypatch.setenv("BIND", f"127.0.0.1:{free_port()}")
    setattr(production, setting, value)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve"])
    assert "carebridge serve: cannot start" in str(stopped.value.code)
    assert setting in str(stopped.value.code)
    assert started == []
