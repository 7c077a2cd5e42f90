"""WeChat's web-authorisation API (``/sns/…``): code exchange, refresh, user info.

These calls authenticate with the AppSecret or the user's web token, not the account's
access_token, so they bypass the API client and its token store. WECHAT_API_BASE points them at
the sandbox outside production.
"""

import logging

import httpx
from django.conf import settings

from carebridge.lib.http import outgoing

from .credentials import Credentials

log = logging.getLogger("carebridge.wechat")

# The code was wrong, already used or too old: the user should simply sign in again.
CODE_REFUSED = {40029, 40163, 42003}


class OAuthFailed(Exception):
    """WeChat refused (``errcode`` from its answer) or could not be reached (``errcode`` None)."""

    def __init__(self, errcode: int | None, errmsg: str):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def _get(path: str, params: dict) -> dict:
    try:
        response = outgoing().get(
            settings.WECHAT_API_BASE + path, params=params, timeout=settings.WECHAT_HTTP_TIMEOUT
        )
        response.raise_for_status()
        payload = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("WeChat %s unreachable: %s", path, exc.__class__.__name__)
        raise OAuthFailed(None, exc.__class__.__name__) from exc
    if not isinstance(payload, dict):
        raise OAuthFailed(None, "unexpected answer")
    if payload.get("errcode"):
        raise OAuthFailed(int(payload["errcode"]), str(payload.get("errmsg", "")))
    return payload


def exchange_code(creds: Credentials, code: str) -> dict:
    """{"access_token", "refresh_token", "openid", "scope", ["unionid"], ["is_snapshotuser"]}"""
    payload = _get(
        "/sns/oauth2/access_token",
        {
            "appid": creds.app_id,
            "secret": creds.app_secret,
            "code": code,
            "grant_type": "authorization_code",
        },
    )
    if not payload.get("openid") or not payload.get("access_token"):
        raise OAuthFailed(None, "answer without openid")
    return payload


def refresh(creds: Credentials, refresh_token: str) -> dict:
    """A new web access token from a refresh token (valid 30 days)."""
    return _get(
        "/sns/oauth2/refresh_token",
        {"appid": creds.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token},
    )


def user_info(access_token: str, openid: str, lang: str = "zh_CN") -> dict:
    """Nickname, unionid… of a snsapi_userinfo sign-in (48001 for snsapi_base)."""
    return _get("/sns/userinfo", {"access_token": access_token, "openid": openid, "lang": lang})
