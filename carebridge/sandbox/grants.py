"""The sandbox's OAuth2 state changes: codes, web-authorisation tokens, refreshes.

Numbers and error codes are WeChat's: a code is single-use and lives 5 minutes; an access token
2 hours; a refresh token 30 days. Snapshot-mode users (朋友圈快照页) get a virtual account:
another openid, ``is_snapshotuser: 1``, a placeholder nickname.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import SandboxOAuthCode, SandboxOAuthToken, SandboxUser

SCOPES = ("snsapi_base", "snsapi_userinfo")
CODE_TTL = timedelta(minutes=5)
ACCESS_TTL = timedelta(hours=2)
REFRESH_TTL = timedelta(days=30)
SNAPSHOT_NICKNAME = "微信用户"


class OAuthError(Exception):
    """A refusal WeChat answers with ``{"errcode": …, "errmsg": …}``."""

    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    def as_json(self) -> dict:
        return {"errcode": self.errcode, "errmsg": self.errmsg}


def snapshot_identity(user: SandboxUser) -> tuple[str, str]:
    """The virtual openid and unionid a snapshot page sees for ``user`` (stable per user)."""
    digest = hashlib.sha256(f"snapshot:{user.openid}".encode()).hexdigest()
    return "o" + digest[:27], "u" + digest[27:54]


@transaction.atomic
def issue_code(user: SandboxUser, scope: str) -> SandboxOAuthCode:
    """A fresh code for ``user``; its exchange yields a virtual account in snapshot mode."""
    if scope not in SCOPES:
        raise OAuthError(10005, "scope not allowed")
    openid, unionid = snapshot_identity(user) if user.snapshot else (user.openid, user.unionid)
    return SandboxOAuthCode.objects.create(
        app_id=user.app_id,
        code=secrets.token_hex(16),
        openid=openid,
        unionid=unionid,
        scope=scope,
        snapshot=user.snapshot,
    )


def _new_access():
    return secrets.token_urlsafe(64), timezone.now() + ACCESS_TTL


@transaction.atomic
def exchange_code(app_id: str, code: str) -> SandboxOAuthToken:
    """Trade a code for tokens, once: a second exchange is refused with 40163."""
    row = SandboxOAuthCode.objects.filter(code=code).first()
    if row is None or row.app_id != app_id:
        raise OAuthError(40029, "invalid code")
    if row.used:
        raise OAuthError(40163, "code been used")
    if timezone.now() - row.issued_at > CODE_TTL:
        raise OAuthError(40029, "invalid code, code expired")
    # The conditional update makes two concurrent exchanges of one code yield one token.
    if not SandboxOAuthCode.objects.filter(id=row.id, used=False).update(used=True):
        raise OAuthError(40163, "code been used")
    access, access_expires = _new_access()
    return SandboxOAuthToken.objects.create(
        app_id=app_id,
        openid=row.openid,
        scope=row.scope,
        access_token=access,
        refresh_token=secrets.token_urlsafe(64),
        access_expires_at=access_expires,
        refresh_expires_at=timezone.now() + REFRESH_TTL,
        snapshot=row.snapshot,
        unionid=row.unionid,
    )


@transaction.atomic
def refresh(app_id: str, refresh_token: str) -> SandboxOAuthToken:
    """A new access token for a refresh token younger than 30 days (the refresh token stays)."""
    row = (
        SandboxOAuthToken.objects.select_for_update()
        .filter(app_id=app_id, refresh_token=refresh_token)
        .first()
    )
    if row is None:
        raise OAuthError(40030, "invalid refresh_token")
    if row.refresh_expires_at <= timezone.now():
        raise OAuthError(42002, "refresh_token timeout")
    row.access_token, row.access_expires_at = _new_access()
    row.save(update_fields=["access_token", "access_expires_at"])
    return row


def valid_token(access_token: str, openid: str) -> SandboxOAuthToken:
    """The live token ``access_token`` issued for ``openid``, or WeChat's refusal."""
    row = SandboxOAuthToken.objects.filter(access_token=access_token).first()
    if row is None:
        raise OAuthError(40001, "invalid credential, access_token is invalid or not latest")
    if row.access_expires_at <= timezone.now():
        raise OAuthError(42001, "access_token expired")
    if row.openid != openid:
        raise OAuthError(40003, "invalid openid")
    return row


def user_info(access_token: str, openid: str) -> dict:
    """What /sns/userinfo answers: only for tokens of the snsapi_userinfo scope."""
    row = valid_token(access_token, openid)
    if row.scope != "snsapi_userinfo":
        raise OAuthError(48001, "api unauthorized")
    info = {
        "openid": row.openid,
        "nickname": SNAPSHOT_NICKNAME,
        "sex": 0,
        "province": "",
        "city": "",
        "country": "",
        "headimgurl": "",
        "privilege": [],
    }
    if row.unionid:
        info["unionid"] = row.unionid
    if not row.snapshot:
        user = SandboxUser.objects.filter(app_id=row.app_id, openid=row.openid).first()
        if user is not None:
            info["nickname"] = user.nickname
    return info
