"""The `carebridge` console command: serve, worker, sync-menu and check, and its refusal to start a
production deployment that lacks its secrets (one clear message, nothing started)."""

import os
import socket
import subprocess
import sys

import pytest

from carebridge import cli
from carebridge.lib.listening import address_in_use
from carebridge.sandbox.models import SandboxMenu
from carebridge.tests.ports import free_port

from .outgoing_helpers import ROOT, app_id, database_url
from .test_menu import seed_menu
from .test_settings import PROD


@pytest.fixture
def execs(monkeypatch):
    """Record what `carebridge serve` would exec instead of replacing the test process."""
    calls = []
    monkeypatch.setattr(cli.os, "execvp", lambda file, args: calls.append(args))
    # serve sets CAREBRIDGE_ENV only if unset; keep the test process's environment as it was.
    monkeypatch.setenv("CAREBRIDGE_ENV", os.environ.get("CAREBRIDGE_ENV", "development"))
    return calls


def test_help_names_the_production_commands(capsys):
    cli.main([])
    out = capsys.readouterr().out
    for command in ("serve", "worker", "sync-menu", "check"):
        assert f"  {command}" in out


def _free_address() -> str:
    return f"127.0.0.1:{free_port()}"


@pytest.mark.django_db
def test_serve_runs_gunicorn_with_the_bind_and_worker_counts(execs, monkeypatch):
    bind = _free_address()
    monkeypatch.setenv("BIND", bind)
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "2")
    monkeypatch.delenv("WEB_REUSE_PORT", raising=False)
    cli.main(["serve", "--timeout", "30"])
    (args,) = execs
    assert args[1:4] == ["-m", "gunicorn", "carebridge.wsgi:application"]
    command = " ".join(args)
    assert f"--bind {bind}" in command and "--workers 3" in command
    assert "--worker-class gthread --threads 2" in command
    assert "--reuse-port" in command  # each process listens itself: the kernel spreads the load
    assert args[-2:] == ["--timeout", "30"]


@pytest.mark.django_db
def test_serve_can_share_one_listening_socket_instead(execs, monkeypatch):
    monkeypatch.setenv("BIND", _free_address())
    monkeypatch.setenv("WEB_REUSE_PORT", "0")
    cli.main(["serve"])
    (args,) = execs
    assert "--reuse-port" not in args


@pytest.mark.django_db
@pytest.mark.parametrize("reuse_port", [False, True])
def test_serve_refuses_an_address_another_server_listens_on(execs, monkeypatch, reuse_port):
    # With SO_REUSEPORT on both, a second server would otherwise share the port silently.
    with socket.socket() as other:
        if reuse_port:
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        bind = f"127.0.0.1:{other.getsockname()[1]}"
        monkeypatch.setenv("BIND", bind)
        monkeypatch.delenv("WEB_REUSE_PORT", raising=False)
        with pytest.raises(SystemExit) as stopped:
            cli.main(["serve"])
    assert f"another process listens on {bind}" in str(stopped.value.code)
    assert execs == []


def test_only_a_listening_tcp_address_counts_as_in_use(tmp_path):
    assert not address_in_use(_free_address())
    assert not address_in_use(f"unix:{tmp_path / 'carebridge.sock'}")  # gunicorn's to judge
    assert not address_in_use("192.0.2.1:8000")  # not this host's address: gunicorn says so


@pytest.mark.django_db
def test_serve_refuses_an_account_without_credentials_in_production(execs, account, settings):
    settings.PRODUCTION = True
    settings.WECHAT_API_BASE = "https://api.weixin.qq.com"
    settings.WECHAT_OPEN_BASE = "https://open.weixin.qq.com"
    settings.WECHAT_CREDENTIALS = {}
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve"])
    assert "account 'renai' has no credentials" in str(stopped.value.code)
    assert "WECHAT_RENAI_APPID" in str(stopped.value.code)
    assert execs == []


@pytest.mark.django_db
def test_serve_refuses_production_pointed_at_the_sandbox(execs, settings):
    settings.PRODUCTION = True
    settings.WECHAT_API_BASE = "http://127.0.0.1:8001/sandbox/wx"
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve"])
    assert "WECHAT_API_BASE points at 127.0.0.1" in str(stopped.value.code)
    assert execs == []


@pytest.mark.django_db
def test_worker_drains_the_outbox(capsys):
    cli.main(["worker", "--once"])
    assert capsys.readouterr().out.strip() == "processed 0, swept 0"


@pytest.mark.django_db(transaction=True)
def test_sync_menu_pushes_the_menu_to_wechat(sandbox, account, capsys):
    seed_menu(account)
    cli.main(["sync-menu", "--account", "renai"])
    assert "renai：菜单已发布（3 个一级菜单）" in capsys.readouterr().out
    assert SandboxMenu.objects.get(app_id=app_id(account)).body["button"][0]["name"] == "关于医院"


@pytest.mark.django_db
def test_sync_menu_names_an_unknown_account_and_exits_non_zero(account, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["sync-menu", "--account", "nobody"])
    assert stopped.value.code != 0
    assert "nobody" in capsys.readouterr().err


@pytest.mark.django_db
def test_check_fails_outside_production_and_says_why(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check"])
    assert stopped.value.code != 0
    assert "carebridge.W001" in capsys.readouterr().err


def carebridge(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "carebridge.cli", *args],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "carebridge.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


# Everything a production deployment needs, HTTPS decided, the renai account's credentials set.
COMPLETE = {
    **PROD,
    "SECRET_KEY": "k3y-" + "Vq9#xL2m!Zr7@pW4" * 4,
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # named, not contacted, by `check`
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "WECHAT_RENAI_APPID": "wx0123456789abcdef",
    "WECHAT_RENAI_APPSECRET": "s" * 32,
    "WECHAT_RENAI_TOKEN": "t0ken",
    "WECHAT_RENAI_AESKEY": "a" * 43,
    "WECHAT_RENAI_MODE": "safe",
}


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "worker", "sync-menu", "check"])
def test_production_without_a_secret_fails_with_one_clear_line(command, tmp_path):
    env = {k: v for k, v in COMPLETE.items() if k != "SECRET_KEY"}
    result = carebridge(command, CAREBRIDGE_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert f"carebridge {command}: cannot start: SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_complete_production_deployment_passes_check(account, tmp_path):
    env = {**COMPLETE, "DATABASE_URL": database_url(), "CAREBRIDGE_VAR_DIR": str(tmp_path)}
    result = carebridge("check", **env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    missing = {k: v for k, v in env.items() if not k.startswith("WECHAT_RENAI_")}
    result = carebridge("check", **missing)
    assert result.returncode != 0 and "account 'renai' has no credentials" in result.stderr


@pytest.mark.slow
def test_the_sandbox_never_answers_in_production(tmp_path):
    code = """
import django
django.setup()
from django.conf import settings
from django.test import Client
assert "carebridge.sandbox" not in settings.INSTALLED_APPS
client = Client()
for path in ("/sandbox/", "/sandbox/wx/cgi-bin/token", "/sandbox/open/connect/oauth2/authorize"):
    assert client.get(path, secure=True).status_code == 404, path
assert client.get("/", secure=True)["Location"] == "/admin/"
# HTTPS is enforced, except on WeChat's callback (WeChat may be configured to call over HTTP).
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
https = SecurityMiddleware(lambda request: None)
assert https.process_request(RequestFactory().get("/admin/")).status_code == 301
assert https.process_request(RequestFactory().post("/wechat/renai/")) is None
print("no sandbox")
"""
    env = {
        **COMPLETE,
        "ALLOWED_HOSTS": "testserver",
        "CAREBRIDGE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "no sandbox" in result.stdout
