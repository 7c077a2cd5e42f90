"""One access token (and one JS-SDK ticket) per AppID for every process, kept in Django's cache.

The cache is shared by all processes (the database cache by default, Redis with REDIS_URL). A
token is refreshed ``WECHAT_TOKEN_REFRESH_MARGIN`` seconds before it expires, by one process at
a time: the refresher holds a lock taken with ``cache.add`` (atomic on both backends) and looks
at the cache again once it holds it, since another process may have refreshed meanwhile. The
others poll until the new token appears or a deadline passes; while a still-valid old token
exists they keep using it (WeChat honours the old one for five minutes after a fetch).
"""

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import WeChatAccount

from . import limits
from .credentials import Credentials
from .transport import WeChatError, request_json

log = logging.getLogger("carebridge.wechat")

# Longer than one fetch with its busy retries, so a live refresher never loses its lock; a
# refresher that died frees it after this long.
LOCK_SECONDS = 30
# Waiters outlast a dead refresher's lock, then take the lock themselves.
WAIT_SECONDS = LOCK_SECONDS + 5
POLL_SECONDS = 0.05


class TokenQuotaExceeded(WeChatError):
    """The day's token fetches are used up: refused before the call (WeChat would say 45009)."""

    def __init__(self, message: str):
        super().__init__(45009, message)
        self._message = message

    @property
    def staff_message(self) -> str:
        return self._message


class TokenUnavailable(WeChatError):
    """No token could be had before the deadline (another process holds the lock too long)."""

    def __init__(self, reason: str):
        super().__init__(None, reason)

    @property
    def staff_message(self) -> str:
        return str(_("暂时无法获取微信接口凭证，请稍后再试"))


@dataclass(frozen=True)
class Issued:
    value: str
    expires_at: float  # epoch seconds

    def usable(self, margin: float = 0) -> bool:
        return self.expires_at - margin > time.time()


Fetch = Callable[[bool], tuple[str, int]]  # force_refresh -> (value, expires_in)


class TokenStore:
    """A cached credential (``kind``: access, jsapi) of one AppID and the lock that guards it."""

    def __init__(self, kind: str, app_id: str, fetch: Fetch):
        self.key = f"wechat:{kind}:{app_id}"
        self.lock_key = self.key + ":lock"
        self.fetch = fetch

    def peek(self) -> Issued | None:
        data = cache.get(self.key)
        return Issued(**data) if isinstance(data, dict) else None

    def get(self, avoid: str | None = None) -> str:
        """The current value, fetched first if it is missing or about to expire.

        ``avoid`` is a value WeChat just refused: it is never returned, and if WeChat hands it
        out again the fetch is forced.
        """
        margin = settings.WECHAT_TOKEN_REFRESH_MARGIN
        issued = self.peek()
        if issued and issued.usable(margin) and issued.value != avoid:
            return issued.value
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            owner = self._acquire()
            if owner:
                try:
                    issued = self.peek()  # re-check: someone may have refreshed meanwhile
                    if issued and issued.usable(margin) and issued.value != avoid:
                        return issued.value
                    return self._refresh(avoid)
                finally:
                    self._release(owner)
            issued = self.peek()
            if issued and issued.usable() and issued.value != avoid:
                return issued.value
            if time.monotonic() > deadline:
                raise TokenUnavailable(f"{self.key}: lock held for more than {WAIT_SECONDS}s")
            time.sleep(POLL_SECONDS)

    def expire(self, failed: str) -> bool:
        """Forget the stored value if it is ``failed`` (compare-and-expire, under the lock)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not (owner := self._acquire()):
            if time.monotonic() > deadline:
                raise TokenUnavailable(f"{self.key}: lock held for more than {WAIT_SECONDS}s")
            time.sleep(POLL_SECONDS)
        try:
            issued = self.peek()
            if issued is None or issued.value != failed:
                return False
            cache.delete(self.key)
            log.info("%s expired after WeChat refused it", self.key)
            return True
        finally:
            self._release(owner)

    def _refresh(self, avoid: str | None) -> str:
        value, expires_in = self.fetch(False)
        if value == avoid:
            # WeChat's stable token API hands out the token it just refused: force a new one.
            value, expires_in = self.fetch(True)
        cache.set(
            self.key, {"value": value, "expires_at": time.time() + expires_in}, timeout=expires_in
        )
        log.info("%s refreshed (valid %ss)", self.key, expires_in)
        return value

    def _acquire(self) -> str | None:
        owner = secrets.token_hex(8)
        return owner if cache.add(self.lock_key, owner, timeout=LOCK_SECONDS) else None

    def _release(self, owner: str) -> None:
        # Only our own lock: after LOCK_SECONDS it may belong to someone else.
        if cache.get(self.lock_key) == owner:
            cache.delete(self.lock_key)


def _count_fetch(creds: Credentials, quota: str) -> None:
    """Take one of the day's token fetches (``quota`` in limits.QUOTAS) before the call."""
    account = WeChatAccount.objects.filter(slug=creds.slug).first()
    if account is None:
        return  # credentials without an account row (a benchmark's minimal handler)
    try:
        limits.consume(account, quota)
    except limits.LimitExceeded as exc:
        raise TokenQuotaExceeded(" ".join(exc.messages)) from exc


def fetch_access_token(creds: Credentials, force_refresh: bool = False) -> tuple[str, int]:
    """Ask WeChat for an access token with the API ``WECHAT_TOKEN_API`` names. The classic API's
    2,000 fetches a day and the stable API's 20 forced refreshes are counted first: past them
    TokenQuotaExceeded, and no call."""
    if settings.WECHAT_TOKEN_API == "classic":
        _count_fetch(creds, "token_classic")
        data = request_json(
            "GET",
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": creds.app_id,
                "secret": creds.app_secret,
            },
        )
    else:
        if force_refresh:
            _count_fetch(creds, "token_force")
        data = request_json(
            "POST",
            "/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": creds.app_id,
                "secret": creds.app_secret,
                "force_refresh": force_refresh,
            },
        )
    return credential(data, "access_token")


def credential(data: dict, field: str) -> tuple[str, int]:
    """The credential ``field`` and its lifetime from WeChat's answer ``data``."""
    value, expires_in = data.get(field), data.get("expires_in")
    if not isinstance(value, str) or not value or not isinstance(expires_in, int):
        raise WeChatError(47001, f"unexpected answer without {field}", data)
    return value, expires_in


def access_tokens(creds: Credentials) -> TokenStore:
    """The access-token store of one account."""
    return TokenStore("access", creds.app_id, lambda force: fetch_access_token(creds, force))


def access_token(account) -> str:
    """The account's current access token (fetched if needed)."""
    return access_tokens(account.credentials).get()
