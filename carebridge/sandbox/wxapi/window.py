"""The customer-service window as WeChat's servers see it, from what the phone did.

The phone records each of its messages and events as a SandboxMessage with direction "out" and
the message itself as the body (MsgType, Event…); a payment is recorded with kind "payment".
Each kind of interaction opens its own allowance from its latest occurrence: a message 5 sends
in 48 h; a menu click, a follow or a QR scan 3 sends in one minute; a payment any number in
48 h. A send spends the unlimited allowance first, then the ones about to lapse.
"""

from datetime import timedelta

from django.utils import timezone

from ..models import SandboxMessage
from . import ApiError, bump

USER_MESSAGES = {"text", "image", "voice", "video", "shortvideo", "location", "link"}
EVENTS = {
    "subscribe": "subscribe",
    "scan": "scan",
    "click": "click",
    "scancode_push": "click",
    "scancode_waitmsg": "click",
}
ALLOWANCES = {  # kind: (window, sends; None = unlimited)
    "payment": (timedelta(hours=48), None),
    "click": (timedelta(minutes=1), 3),
    "subscribe": (timedelta(minutes=1), 3),
    "scan": (timedelta(minutes=1), 3),
    "message": (timedelta(hours=48), 5),
}


def interaction_kind(row: SandboxMessage) -> str | None:
    if row.kind == "payment":
        return "payment"
    body = row.body if isinstance(row.body, dict) else {}
    msg_type = str(body.get("MsgType", "")).lower()
    if msg_type == "event":
        return EVENTS.get(str(body.get("Event", "")).lower())
    return "message" if msg_type in USER_MESSAGES else None


def latest_interactions(app_id: str, openid: str, now) -> dict:
    """Kind → time of the user's latest interaction of that kind in the last 48 hours."""
    latest: dict = {}
    rows = SandboxMessage.objects.filter(
        app_id=app_id, openid=openid, direction="out", created_at__gt=now - timedelta(hours=48)
    ).order_by("-created_at", "-id")
    for row in rows:
        kind = interaction_kind(row)
        if kind and kind not in latest:
            latest[kind] = row.created_at
    return latest


def spend(app_id: str, openid: str) -> None:
    """Spend one customer-service send, or refuse as WeChat does (45015 / 45047)."""
    now = timezone.now()
    latest = latest_interactions(app_id, openid, now)
    live = [k for k in ALLOWANCES if k in latest and latest[k] > now - ALLOWANCES[k][0]]
    if not live:
        raise ApiError(45015, "response out of time limit or subscription is canceled")
    for kind in live:
        # One counter per interaction: a newer interaction of the same kind starts afresh.
        period = str(int(latest[kind].timestamp() * 1000))
        if bump(app_id, f"cs:{kind}:{openid}", period, ALLOWANCES[kind][1]):
            return
    raise ApiError(45047, "out of response count limit")
