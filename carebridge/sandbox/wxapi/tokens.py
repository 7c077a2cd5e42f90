"""Access tokens and JS-SDK tickets, issued the way WeChat issues them.

/cgi-bin/token (classic): every fetch issues a new token valid 7200 s and leaves the previous
ones valid for five more minutes; 2,000 fetches a day. /cgi-bin/stable_token: isolated from the
classic tokens; normal mode hands out the current token until its last five minutes, then a new
one; force_refresh issues a new one and invalidates the old at once, at most 20 times a day and
not within 30 s of the last issue. /cgi-bin/ticket/getticket: the jsapi ticket, like a token.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import SandboxToken
from ..registry import account_for_app_id
from . import ApiError, answer, api, bump, check_injected, ok, today

TTL = timedelta(seconds=7200)
GRACE = timedelta(minutes=5)
CLASSIC_PER_DAY = 2000
STABLE_PER_DAY = 500_000
FORCE_PER_DAY = 20
FORCE_INTERVAL = timedelta(seconds=30)


def _credentials(grant_type, appid, secret):
    if grant_type != "client_credential":
        raise ApiError(40002, "invalid grant_type")
    if not appid:
        raise ApiError(41002, "appid missing")
    if not secret:
        raise ApiError(41004, "appsecret missing")
    found = account_for_app_id(appid)
    if found is None:
        raise ApiError(40013, "invalid appid")
    if not secrets.compare_digest(str(secret), found[1].app_secret):
        raise ApiError(40125, "invalid appsecret")
    return found[1]


def issue(app_id: str, kind: str, now=None) -> SandboxToken:
    now = now or timezone.now()
    return SandboxToken.objects.create(
        app_id=app_id,
        kind=kind,
        # WeChat asks for at least 512 characters of storage: issue that many, so a client
        # that truncates finds out here.
        value=secrets.token_urlsafe(384),
        issued_at=now,
        expires_at=now + TTL,
    )


def _expires_in(row: SandboxToken, now) -> int:
    return max(int((row.expires_at - now).total_seconds()), 0)


@api("GET", token=False)
def token(request, _app_id, _body):
    params = request.GET
    creds = _credentials(params.get("grant_type"), params.get("appid"), params.get("secret"))
    check_injected(creds.app_id, request)
    with transaction.atomic():
        if not bump(creds.app_id, "token", today(), CLASSIC_PER_DAY):
            raise ApiError(45009, "reach max api daily quota limit")
        now = timezone.now()
        # A fetch leaves the earlier tokens five more minutes, then they stop working.
        SandboxToken.objects.filter(
            app_id=creds.app_id, kind="access", expires_at__gt=now + GRACE
        ).update(expires_at=now + GRACE)
        row = issue(creds.app_id, "access", now)
    return answer({"access_token": row.value, "expires_in": _expires_in(row, now)})


@api("POST", token=False)
def stable_token(request, _app_id, body):
    creds = _credentials(body.get("grant_type"), body.get("appid"), body.get("secret"))
    check_injected(creds.app_id, request)
    force = body.get("force_refresh") is True
    with transaction.atomic():
        # Counting first also queues concurrent fetches of one AppID behind each other.
        if not bump(creds.app_id, "stable_token", today(), STABLE_PER_DAY):
            raise ApiError(45009, "reach max api daily quota limit")
        now = timezone.now()
        live = SandboxToken.objects.filter(app_id=creds.app_id, kind="stable", expires_at__gt=now)
        current = live.order_by("-issued_at", "-id").first()
        if force and not (current and now - current.issued_at < FORCE_INTERVAL):
            if not bump(creds.app_id, "stable_token_force", today(), FORCE_PER_DAY):
                raise ApiError(45009, "reach max api daily quota limit")
            live.update(expires_at=now)
            current = issue(creds.app_id, "stable", now)
        elif current is None or current.expires_at - now <= GRACE:
            current = issue(creds.app_id, "stable", now)  # the old one lives out its minutes
    return answer({"access_token": current.value, "expires_in": _expires_in(current, now)})


@api("GET")
def getticket(request, app_id, _body):
    kind = request.GET.get("type", "")
    if kind not in ("jsapi", "wx_card"):
        raise ApiError(40097, "invalid args")
    with transaction.atomic():
        bump(app_id, f"ticket_{kind}", today())
        now = timezone.now()
        SandboxToken.objects.filter(app_id=app_id, kind=kind, expires_at__gt=now + GRACE).update(
            expires_at=now + GRACE
        )
        row = issue(app_id, kind, now)
    return ok(ticket=row.value, expires_in=_expires_in(row, now))


def valid_tickets(app_id: str, kind: str = "jsapi") -> list[str]:
    """The tickets of ``app_id`` WeChat would accept now (the phone checks wx.config with them)."""
    return list(
        SandboxToken.objects.filter(
            app_id=app_id, kind=kind, expires_at__gt=timezone.now()
        ).values_list("value", flat=True)
    )
