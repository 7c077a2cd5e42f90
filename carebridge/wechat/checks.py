"""What `carebridge check` reports about a deployment (Django system checks, tag "deploy")."""

from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from carebridge.institutions.models import WeChatAccount

from .credentials import env_prefix

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    problems = []
    if not settings.PRODUCTION:
        problems.append(
            Warning(
                f"CAREBRIDGE_ENV is {settings.CAREBRIDGE_ENV!r}: the sandbox answers and "
                "credentials fall back to sandbox ones.",
                hint="Set CAREBRIDGE_ENV=production (carebridge serve does so by default).",
                id="carebridge.W001",
            )
        )
        return problems
    if not settings.DATABASE_URL:
        problems.append(
            Warning(
                "DATABASE_URL is not set: production runs on the embedded SQLite database.",
                hint="Set DATABASE_URL=postgres://… for a hospital's load.",
                id="carebridge.W002",
            )
        )
    if not settings.REDIS_URL:
        problems.append(
            Warning(
                "REDIS_URL is not set: token, locks and rate limits use the database cache.",
                hint="Set REDIS_URL=redis://… .",
                id="carebridge.W003",
            )
        )
    for name in ("WECHAT_API_BASE", "WECHAT_OPEN_BASE"):
        host = urlparse(getattr(settings, name)).hostname or ""
        if host in LOOPBACK:
            problems.append(
                Error(
                    f"{name} points at {host}: the sandbox, not WeChat.",
                    id="carebridge.E001",
                )
            )
    return problems


@register(Tags.security, deploy=True)
def account_credentials(app_configs, **kwargs):
    problems = []
    try:
        accounts = list(WeChatAccount.objects.values_list("slug", "original_id"))
    except DatabaseError:
        return [
            Warning("the database is not migrated yet; accounts not checked", id="carebridge.W004")
        ]
    for slug, original_id in accounts:
        if not original_id and settings.PRODUCTION:
            problems.append(
                Warning(
                    f"account {slug!r} has no original id (gh_…): its callback cannot refuse "
                    "messages addressed to another account",
                    hint="Fill in 原始ID on the account in the back office.",
                    id="carebridge.W005",
                )
            )
        creds = settings.WECHAT_CREDENTIALS.get(slug)
        if creds is None and settings.PRODUCTION:
            problems.append(
                Error(
                    f"account {slug!r} has no credentials",
                    hint=f"Set {env_prefix(slug)}APPID, APPSECRET, TOKEN, AESKEY and MODE.",
                    id="carebridge.E002",
                )
            )
        elif creds is not None and not creds.complete:
            problems.append(
                Error(
                    f"account {slug!r}: credentials incomplete (mode {creds.mode}; the "
                    "EncodingAESKey must be 43 characters outside plaintext mode)",
                    id="carebridge.E003",
                )
            )
    return problems
