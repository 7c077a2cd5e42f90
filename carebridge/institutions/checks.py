"""Deployment checks that are errors in production (`carebridge check`; `serve` and `worker`
refuse to start on them): the settings production refuses, Django's warnings that matter there,
and staff still holding the demo's password."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks.security.base import check_debug, check_secret_key
from django.core.checks.security.csrf import check_csrf_cookie_secure
from django.core.checks.security.sessions import check_session_cookie_secure
from django.db import DatabaseError

from carebridge.lib.deployment import unsafe_production_settings

from .auth import users_holding_demo_password


@register(Tags.security, deploy=True)
def production_refusals(app_configs, **kwargs):
    """What settings.py refuses at start, asked again of the settings in force."""
    if not settings.PRODUCTION:
        return []
    unsafe = unsafe_production_settings(
        debug=settings.DEBUG,
        secret_key=settings.SECRET_KEY,
        field_encryption_keys=settings.FIELD_ENCRYPTION_KEYS,
        field_hash_key=settings.FIELD_HASH_KEY,
        sms_backend=settings.SMS_BACKEND,
    )
    return [Error(problem, id="carebridge.E010") for problem in unsafe]


@register(Tags.security, deploy=True)
def django_warnings_that_matter(app_configs, **kwargs):
    """Django's W009 (SECRET_KEY), W018 (DEBUG) and, when SITE_URL is https, its cookie
    warnings (W010-W012, W016) are errors in production, with Django's own words."""
    if not settings.PRODUCTION:
        return []
    warnings = [*check_secret_key(app_configs), *check_debug(app_configs)]
    if settings.SITE_URL.startswith("https:"):
        warnings += [
            *check_session_cookie_secure(app_configs),
            *check_csrf_cookie_secure(app_configs),
        ]
    return [Error(w.msg, hint=w.hint, id="carebridge.E011", obj=f"Django {w.id}") for w in warnings]


@register(Tags.security, deploy=True)
def demo_passwords(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    try:
        holders = users_holding_demo_password()
    except DatabaseError:
        return []  # not migrated yet: carebridge.W004 says so
    if not holders:
        return []
    return [
        Error(
            "staff still holding the demo's published password (refused at sign-in): "
            + ", ".join(holders),
            hint="Change each one: carebridge changepassword <username>.",
            id="carebridge.E012",
        )
    ]
