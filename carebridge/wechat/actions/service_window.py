"""The customer-service window's writes: a grant opened by an interaction, a unit spent by a
message. The rules (which interaction allows how many messages for how long) are in
``service_window.py``."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import CsGrant
from ..service_window import RULES, SPEND_ORDER, WindowClosed
from .followers_pending import catch_up, reopen_grants


@transaction.atomic
def open_grant(follower, kind: str, at: datetime | None = None) -> CsGrant:
    """Record an interaction of ``kind`` (GrantKind) by ``follower`` (a payment, say: messages
    and menu taps open theirs from the callback's receipts) and return its grant."""
    if kind not in RULES:
        raise ValueError(f"unknown customer-service grant kind {kind!r}")
    reopen_grants({follower.pk: {kind: at or timezone.now()}})
    return CsGrant.objects.get(follower=follower, kind=kind)


@transaction.atomic
def consume_grant(follower, at: datetime | None = None) -> CsGrant:
    """Spend one customer-service message for ``follower``, or raise ``WindowClosed``.

    Sending two at once never spends a unit twice: each is a conditional UPDATE. The caller
    catches the follower up first (``followers_pending.catch_up``), as ``send_custom_message``
    does before it even looks the follower up."""
    at = at or timezone.now()
    grants = {g.kind: g for g in CsGrant.objects.filter(follower=follower)}
    for kind in SPEND_ORDER:
        grant = grants.get(kind)
        if grant is None:
            continue
        rule = RULES[kind]
        live = CsGrant.objects.filter(pk=grant.pk, opened_at__gt=at - rule.window)
        if rule.limit is not None:
            live = live.filter(used__lt=rule.limit)
        if live.update(used=F("used") + 1):
            grant.refresh_from_db()
            return grant
    raise WindowClosed(
        _("该用户近期没有与公众号互动，或本次互动允许的客服消息已用完，无法发送客服消息"),
        code="window_closed",
    )


def window_open(follower, at: datetime | None = None) -> bool:
    """Could a customer-service message be sent to ``follower`` now (without spending it)?"""
    at = at or timezone.now()
    catch_up(follower.account_id, follower.openid)  # messages answered moments ago count
    return any(
        RULES[grant.kind].allows(grant, at) for grant in CsGrant.objects.filter(follower=follower)
    )
