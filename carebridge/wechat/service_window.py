"""The customer-service window: when, and how often, we may message a follower unprompted.

Each interaction opens (or reopens) a grant, one row per follower and kind (CsGrant):
a message from the user allows 5 messages within 48 hours; a menu click, a follow or a QR scan
3 within one minute; a payment any number within 48 hours. Sending consumes one unit of a live
grant (``actions.service_window.consume_grant``). Outside every grant WeChat refuses the call
(45015), so we refuse it first: ``WindowClosed``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .limits import LimitExceeded
from .messages import MESSAGE_TYPES
from .models import CsGrant
from .models.followers import GrantKind


@dataclass(frozen=True)
class Rule:
    window: timedelta
    limit: int | None  # None: unlimited

    def allows(self, grant: CsGrant, at: datetime) -> bool:
        """Could ``grant`` (of this rule's kind) pay for a message sent at ``at``?"""
        fresh = grant.opened_at > at - self.window
        return fresh and (self.limit is None or grant.used < self.limit)


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

# What opens a window (DESIGN.md): a message, a follow, a QR scan, and only the menu buttons
# whose tap reaches us as a push (click and the two scan-code buttons).
_GRANTS = {
    "subscribe": GrantKind.SUBSCRIBE,
    "scan": GrantKind.SCAN,
    "click": GrantKind.CLICK,
    "scancode_push": GrantKind.CLICK,
    "scancode_waitmsg": GrantKind.CLICK,
}


def grant_kind_for(msg_type: str, event: str) -> str | None:
    """The grant a message of ``msg_type`` (and lower-case ``event``) opens, if any."""
    if msg_type != "event":
        return GrantKind.MESSAGE if msg_type in MESSAGE_TYPES else None
    return _GRANTS.get(event)


class WindowClosed(LimitExceeded):
    """No live grant: the user has not interacted recently enough, or its messages are used."""
