"""The shared token store: refresh before expiry, the lock, compare-and-expire, and the refresh
race between two processes."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxToken
from carebridge.wechat import tokens
from carebridge.wechat.tokens import TokenStore, TokenUnavailable, access_token, access_tokens

from .outgoing_helpers import ROOT, app_id, subprocess_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_token_about_to_expire_is_refreshed_before_it_does(sandbox, account, settings):
    store = access_tokens(account.credentials)
    first = store.get()
    soon = time.time() + settings.WECHAT_TOKEN_REFRESH_MARGIN - 10
    cache.set(store.key, {"value": first, "expires_at": soon})
    SandboxToken.objects.filter(value=first).update(
        expires_at=timezone.now() + timedelta(seconds=settings.WECHAT_TOKEN_REFRESH_MARGIN - 10)
    )

    second = store.get()
    assert second != first
    assert wxapi.count(app_id(account), "stable_token") == 2
    assert store.peek().expires_at > time.time() + 7000


def test_a_fresh_token_is_not_fetched_again(sandbox, account):
    assert access_token(account) == access_token(account)
    assert wxapi.count(app_id(account), "stable_token") == 1


def test_while_another_process_refreshes_the_old_token_is_still_used(account, settings):
    """No HTTP here: a waiter must not fetch while the lock is held by someone else."""
    store = TokenStore("access", "wx-test", fetch=lambda force: pytest.fail("fetched"))
    valid_but_due = time.time() + settings.WECHAT_TOKEN_REFRESH_MARGIN - 1
    cache.set(store.key, {"value": "OLD", "expires_at": valid_but_due})
    cache.add(store.lock_key, "another-process", 30)
    assert store.get() == "OLD"


def test_a_waiter_gives_up_at_its_deadline(account, monkeypatch):
    monkeypatch.setattr(tokens, "WAIT_SECONDS", 0.2)
    store = TokenStore("access", "wx-test", fetch=lambda force: pytest.fail("fetched"))
    cache.add(store.lock_key, "another-process", 30)
    started = time.monotonic()
    with pytest.raises(TokenUnavailable):
        store.get()
    assert time.monotonic() - started < 5


def test_expire_forgets_only_the_token_that_failed(account):
    store = TokenStore("access", "wx-test", fetch=lambda force: ("NEW", 7200))
    cache.set(store.key, {"value": "FRESH", "expires_at": time.time() + 7000})
    assert store.expire("STALE") is False
    assert store.peek().value == "FRESH"
    assert store.expire("FRESH") is True
    assert store.peek() is None
    assert cache.get(store.lock_key) is None  # the lock was released


def test_a_token_wechat_refused_is_never_handed_out_again(account):
    calls = []

    def fetch(force):
        calls.append(force)
        return ("REFUSED", 7200) if not force else ("FORCED", 7200)

    store = TokenStore("access", "wx-test", fetch=fetch)
    assert store.get(avoid="REFUSED") == "FORCED"
    assert calls == [False, True]


def test_the_stable_api_is_forced_when_it_hands_back_the_refused_token(sandbox, account):
    store = access_tokens(account.credentials)
    refused = store.get()
    SandboxToken.objects.filter(value=refused).update(
        issued_at=timezone.now() - timedelta(minutes=10)
    )
    cache.delete(store.key)
    assert store.get(avoid=refused) != refused
    assert wxapi.count(app_id(account), "stable_token_force") == 1


RACER = """
import pathlib, sys, time
import django
django.setup()
from carebridge.institutions.models import WeChatAccount
from carebridge.wechat.tokens import access_token
account = WeChatAccount.objects.get(slug=sys.argv[1])
barrier = pathlib.Path(sys.argv[2])
(barrier / sys.argv[3]).touch()
deadline = time.monotonic() + 60
while len(list(barrier.iterdir())) < 2:  # start together
    if time.monotonic() > deadline:
        sys.exit("the other process never started")
    time.sleep(0.005)
print(access_token(account))
"""


@pytest.mark.slow
@pytest.mark.parametrize("api, counter", [("stable", "stable_token"), ("classic", "token")])
def test_two_processes_racing_for_the_token_fetch_it_once(
    sandbox, account, settings, monkeypatch, tmp_path, api, counter
):
    settings.WECHAT_TOKEN_API = api
    # A slow token endpoint: without the lock both processes would surely fetch.
    monkeypatch.setitem(wxapi.SLOW_PATHS, "/cgi-bin/" + counter, 0.5)
    env = subprocess_env()
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, account.slug, str(tmp_path), name],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    for racer, (_out, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err
    got = [out.strip() for out, _err in outputs]

    assert wxapi.count(app_id(account), counter) == 1
    issued = SandboxToken.objects.get(app_id=app_id(account))
    assert got == [issued.value, issued.value]


def use_up(account, quota):
    from carebridge.wechat import limits
    from carebridge.wechat.models import ApiQuota

    ApiQuota.objects.create(
        account=account,
        name=quota,
        period=limits.QUOTAS[quota].period_key(),
        used=limits.QUOTAS[quota].limit,
    )


def test_the_classic_apis_2000_fetches_a_day_are_counted_before_the_call(
    sandbox, account, settings
):
    settings.WECHAT_TOKEN_API = "classic"
    use_up(account, "token_classic")
    with pytest.raises(tokens.TokenQuotaExceeded) as refused:
        access_token(account)
    assert "每天 2000 次" in refused.value.staff_message
    assert refused.value.errcode == 45009  # the outbox tries again later (is_passing)
    assert wxapi.count(app_id(account), "token") == 0
    assert cache.get(access_tokens(account.credentials).lock_key) is None  # lock released


def test_a_classic_fetch_takes_one_of_the_days_2000(sandbox, account, settings):
    from carebridge.wechat import limits

    settings.WECHAT_TOKEN_API = "classic"
    access_token(account)
    assert limits.remaining(account, "token_classic") == 1999
    assert limits.remaining(account, "token_force") == 20  # not a stable fetch


def test_the_stable_apis_20_forced_refreshes_are_counted_before_the_call(sandbox, account):
    creds = account.credentials
    tokens.fetch_access_token(creds)  # normal mode: counted by nobody but WeChat
    use_up(account, "token_force")
    with pytest.raises(tokens.TokenQuotaExceeded) as refused:
        tokens.fetch_access_token(creds, force_refresh=True)
    assert "每天 20 次" in refused.value.staff_message
    assert wxapi.count(app_id(account), "stable_token_force") == 0
