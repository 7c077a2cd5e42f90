"""The customer-service window: when, and how often, we may message a follower unprompted.

Each interaction opens (or reopens) a grant, one row per follower and kind (CsGrant):
a message from the user allows 5 messages within 48 hours; a menu click, a follow or a QR scan
3 within one minute; a payment any number within 48 hours. Sending consumes one unit of a live
grant with a conditional update, so two processes never send a sixth message between them.
Outside every grant WeChat refuses the call (45015), so we refuse it first: ``WindowClosed``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .limits import LimitExceeded
from .models import CsGrant
from .models.followers import GrantKind


@dataclass(frozen=True)
class Rule:
    window: timedelta
    limit: int | None  # None: unlimited


RULES = {
    GrantKind.MESSAGE: Rule(timedelta(hours=48), 5),
    GrantKind.CLICK: Rule(timedelta(minutes=1), 3),
    GrantKind.SUBSCRIBE: Rule(timedelta(minutes=1), 3),
    GrantKind.SCAN: Rule(timedelta(minutes=1), 3),
    GrantKind.PAYMENT: Rule(timedelta(hours=48), None),
}
# Which live grant to spend first: the unlimited one, then those about to lapse.
SPEND_ORDER = [
    GrantKind.PAYMENT,
    GrantKind.CLICK,
    GrantKind.SUBSCRIBE,
    GrantKind.SCAN,
    GrantKind.MESSAGE,
]


class WindowClosed(LimitExceeded):
    """No live grant: the user has not interacted recently enough, or its messages are used."""


@transaction.atomic
def open_grant(follower, kind: str, at: datetime | None = None) -> CsGrant:
    """Record an interaction of ``kind`` (GrantKind) by ``follower`` and return its grant."""
    reopen_grant(follower, kind, at)
    return CsGrant.objects.get(follower=follower, kind=kind)


def reopen_grant(follower, kind: str, at: datetime | None = None) -> None:
    """Record an interaction of ``kind`` (GrantKind) by ``follower``: its allowance starts anew.

    The callback calls this on every inbound message, menu click, follow and QR scan, inside
    its own transaction: one UPDATE, no savepoint and no read-back (``open_grant`` adds those),
    as each statement here is atomic by itself."""
    if kind not in RULES:
        raise ValueError(f"unknown customer-service grant kind {kind!r}")
    at = at or timezone.now()
    updated = CsGrant.objects.filter(follower=follower, kind=kind, opened_at__lte=at).update(
        opened_at=at, used=0
    )
    if not updated:
        try:
            with transaction.atomic():
                CsGrant.objects.create(follower=follower, kind=kind, opened_at=at)
        except IntegrityError:
            pass  # a newer interaction (or a concurrent one) already holds the row


@transaction.atomic
def consume_grant(follower, at: datetime | None = None) -> CsGrant:
    """Spend one customer-service message for ``follower``, or raise ``WindowClosed``.

    The caller catches the follower up first (``followers_pending.catch_up``), as
    ``send_custom_message`` does before it even looks the follower up."""
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
    from .actions.followers_pending import catch_up

    at = at or timezone.now()
    catch_up(follower.account_id, follower.openid)  # messages answered moments ago count
    for grant in CsGrant.objects.filter(follower=follower):
        rule = RULES[grant.kind]
        fresh = grant.opened_at > at - rule.window
        if fresh and (rule.limit is None or grant.used < rule.limit):
            return True
    return False
