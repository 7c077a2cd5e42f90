"""Sessions are rows in the database, read through the cache when it is Redis (settings.py):
the H5 sign-in works the same either way, outlives the cache losing it, and signs out."""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches

from carebridge.wechat import h5
from conftest import ALICE_OPENID

ME = "/wechat/renai/oauth/me"
CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.mark.slow
@pytest.mark.parametrize(
    "redis_url, engine",
    [("redis://127.0.0.1:6379/15", CACHED_DB), ("", "django.contrib.sessions.backends.db")],
)
def test_sessions_are_read_through_the_cache_only_when_it_is_redis(redis_url, engine, tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "CAREBRIDGE_VAR_DIR": str(tmp_path)}
    env.update(CAREBRIDGE_ENV="development", REDIS_URL=redis_url)
    code = (
        "from django.conf import global_settings as default; from carebridge import settings; "
        "print(getattr(settings, 'SESSION_ENGINE', default.SESSION_ENGINE))"
    )
    read = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == engine


@pytest.mark.django_db
def test_a_session_read_through_the_cache_outlives_the_cache_and_signs_out(
    settings, client, rf, account
):
    settings.SESSION_ENGINE = CACHED_DB
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX, SessionStore

    session = client.session
    session[h5.SESSION_KEY] = {
        "account": "renai",
        "openid": ALICE_OPENID,
        "scope": "snsapi_userinfo",  # what this page asks for
        "snapshot": False,
    }
    session.save()
    assert client.get(ME, secure=True).status_code == 200
    caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + session.session_key)  # evicted
    assert client.get(ME, secure=True).status_code == 200  # read from its row again

    request = rf.get(ME)
    request.session = SessionStore(session.session_key)
    h5.sign_out(request)
    request.session.save()
    assert client.get(ME, secure=True).status_code == 302  # to OAuth: not the cache's old copy
