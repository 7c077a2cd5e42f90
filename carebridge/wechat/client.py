"""The one client for WeChat's server API.

``WeChatClient(account).get(path, params)`` / ``.post(path, json)`` add the shared access token,
return WeChat's JSON answer and raise ``transport.WeChatError`` for a non-zero errcode. A token
error (40001/40014/42001) expires the stored token only if it is the one that failed, then
retries once; busy (-1) backs off per ``WECHAT_BUSY_BACKOFF`` and retries. Never call it inside
a database transaction: the token lock and the HTTP call would hold the transaction open.
"""

import logging
import time

from .tokens import access_tokens
from .transport import TOKEN_ERRORS, WeChatError, request_json

log = logging.getLogger("carebridge.wechat")


# How long a client calls with the token it last read, instead of reading the shared cache
# before every call (a batch of template messages read it once per message). A token WeChat
# refuses is dropped at once; one that another process has replaced meanwhile stays valid at
# WeChat for five minutes after its replacement.
TOKEN_REUSE_SECONDS = 60


class WeChatClient:
    """WeChat's API on behalf of one account (``institutions.WeChatAccount``)."""

    def __init__(self, account):
        self.account = account
        self.tokens = access_tokens(account.credentials)
        self._token, self._token_until = "", 0.0

    def get(self, path: str, params: dict | None = None) -> dict:
        return self._call("GET", path, params=params)

    def post(self, path: str, json: dict | None = None, params: dict | None = None) -> dict:
        return self._call("POST", path, params=params, json=json)

    def _current_token(self, avoid: str | None = None) -> str:
        """The token read last, if read less than TOKEN_REUSE_SECONDS ago and not ``avoid``;
        else the shared one (tokens.TokenStore.get)."""
        if self._token and self._token != avoid and time.monotonic() < self._token_until:
            return self._token
        self._token = self.tokens.get(avoid=avoid)
        self._token_until = time.monotonic() + TOKEN_REUSE_SECONDS
        return self._token

    def upload(self, path: str, filename: str, data: bytes, params: dict | None = None) -> dict:
        """POST a file as WeChat's uploads want it: multipart/form-data, field ``media``."""
        return self._call("POST", path, params=params, files={"media": (filename, data)})

    def _call(self, method: str, path: str, params=None, json=None, files=None) -> dict:
        token = self._current_token()
        try:
            return request_json(
                method,
                path,
                params={**(params or {}), "access_token": token},
                json=json,
                files=files,
            )
        except WeChatError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.warning("%s refused the access token (%s); refreshing", path, exc.errcode)
        # Expire the token only if it is still the stored one: another process may already have
        # replaced it, and expiring the fresh token would break every process using it.
        self.tokens.expire(token)
        token = self._current_token(avoid=token)
        return request_json(
            method, path, params={**(params or {}), "access_token": token}, json=json, files=files
        )
