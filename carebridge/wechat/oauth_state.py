"""OAuth2 ``state``: signed, single-use, bound to the browser session (CSRF protection).

WeChat passes ``state`` back untouched but allows only ``[a-zA-Z0-9]``, up to 128 bytes, so it
is a hex nonce followed by a hex HMAC of it. The nonce must also be pending in this session:
a state minted for another browser, replayed, tampered with or older than ten minutes is refused.
"""

import re
import secrets
import time

from django.utils.crypto import constant_time_compare, salted_hmac

SESSION_KEY = "wechat_oauth_pending"
TTL_SECONDS = 600
MAX_PENDING = 5  # sign-ins started in other tabs stay valid; a flood does not grow the session
_SHAPE = re.compile(r"[0-9a-f]{64}")


def _mac(slug: str, nonce: str) -> str:
    return salted_hmac("carebridge.wechat.oauth.state", f"{slug}:{nonce}", algorithm="sha256")


def issue(request, slug: str, next_path: str, scope: str) -> str:
    """A new state for a sign-in to account ``slug`` that will land on ``next_path``."""
    now = int(time.time())
    pending = {
        nonce: entry
        for nonce, entry in request.session.get(SESSION_KEY, {}).items()
        if now - entry.get("at", 0) <= TTL_SECONDS
    }
    while len(pending) >= MAX_PENDING:
        del pending[min(pending, key=lambda n: pending[n]["at"])]
    nonce = secrets.token_hex(16)
    pending[nonce] = {"slug": slug, "next": next_path, "scope": scope, "at": now}
    request.session[SESSION_KEY] = pending
    return nonce + _mac(slug, nonce).hexdigest()[:32]


def redeem(request, slug: str, state: str) -> dict | None:
    """The pending sign-in ``state`` names ({"next", "scope", …}), consumed; None if refused."""
    if not _SHAPE.fullmatch(state or ""):
        return None
    nonce, mac = state[:32], state[32:]
    if not constant_time_compare(mac, _mac(slug, nonce).hexdigest()[:32]):
        return None
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(nonce, None)
    request.session[SESSION_KEY] = pending  # single use, whatever happens next
    if entry is None or entry.get("slug") != slug:
        return None
    if int(time.time()) - entry.get("at", 0) > TTL_SECONDS:
        return None
    return entry
