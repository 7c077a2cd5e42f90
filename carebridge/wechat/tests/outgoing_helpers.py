"""Shared by the tests of the outgoing API (client, tokens, menu, QR, messaging…).

Personas: alice follows the hospital's account and writes to it; bob follows but stays silent;
carol has unfollowed.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils import timezone

ALICE = "o_alice_0000000000000000000"
BOB = "o_bob_00000000000000000000000"
CAROL = "o_carol_000000000000000000000"
ROOT = Path(settings.BASE_DIR)


def app_id(account) -> str:
    return account.credentials.app_id


def phone_user(account, openid: str, subscribed: bool = True, **fields):
    """The sandbox's side of a WeChat user of ``account`` (what WeChat's servers know)."""
    from carebridge.sandbox.models import SandboxUser

    return SandboxUser.objects.create(
        app_id=app_id(account),
        openid=openid,
        nickname=openid.split("_")[1],
        subscribed=subscribed,
        subscribed_at=timezone.now() - timedelta(days=30) if subscribed else None,
        **fields,
    )


def follower(account, openid: str, subscribed: bool = True):
    """A user known to both sides: the sandbox's SandboxUser and our Follower."""
    from carebridge.wechat.models import Follower

    phone_user(account, openid, subscribed)
    return Follower.objects.create(account=account, openid=openid, subscribed=subscribed)


def phone_does(account, openid: str, fields: dict, at=None, kind: str = "user"):
    """What the phone records when its user writes or taps (SandboxMessage, direction out)."""
    from carebridge.sandbox.models import SandboxMessage

    return SandboxMessage.objects.create(
        app_id=app_id(account),
        openid=openid,
        direction="out",
        kind=kind,
        body={"FromUserName": openid, **fields},
        created_at=at or timezone.now(),
    )


def wait_until(predicate, timeout: float = 10.0, what: str = "condition"):
    """Poll ``predicate`` until it is truthy or the deadline passes (tests never just sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def database_url() -> str:
    """A URL for the test database, for subprocesses that must share it."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def subprocess_env(**extra) -> dict:
    """The environment for a child process on the same database, cache (REDIS_URL passes
    through) and sandbox as this test."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_ENV": "development",
        "DATABASE_URL": database_url(),
        "WECHAT_API_BASE": settings.WECHAT_API_BASE,
        "WECHAT_TOKEN_API": settings.WECHAT_TOKEN_API,
        "SITE_URL": settings.SITE_URL,
    }
    env.update(extra)
    return env


def run_manage(*args, **env) -> subprocess.CompletedProcess:
    """``manage.py <args>`` in a child process on this test's database and sandbox."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
