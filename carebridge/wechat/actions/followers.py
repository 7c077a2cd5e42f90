"""Followers kept current from what they do: follow, unfollow, scan, write, tap, report location.

WeChat may deliver events late or out of order (retries), so a follow and an unfollow compare
their own times (CreateTime) with the latest one recorded: an older event never undoes a newer.
"""

from django.db import transaction

from ..messages import MESSAGE_TYPES, Message
from ..models import Follower
from ..models.followers import GrantKind

# What opens a customer-service window (DESIGN.md): a message, a follow, a QR scan, and only the
# menu buttons whose tap reaches us as a push (click and the two scan-code buttons).
_GRANTS = {
    "subscribe": GrantKind.SUBSCRIBE,
    "scan": GrantKind.SCAN,
    "click": GrantKind.CLICK,
    "scancode_push": GrantKind.CLICK,
    "scancode_waitmsg": GrantKind.CLICK,
}


def grant_kind(message: Message) -> str | None:
    return grant_kind_for(message.msg_type, message.event)


def grant_kind_for(msg_type: str, event: str) -> str | None:
    """The customer-service grant a message of ``msg_type`` (and lower-case ``event``) opens."""
    if msg_type != "event":
        return GrantKind.MESSAGE if msg_type in MESSAGE_TYPES else None
    return _GRANTS.get(event)


# No savepoint when nested: the callback's own transaction already makes it all or nothing,
# and this runs on every inbound message (two round trips saved).
@transaction.atomic(savepoint=False)
def track_follower(account, message: Message) -> Follower:
    """Record what ``message`` says about its sender and open the customer-service window it
    grants; return the sender's Follower (created on first sight)."""
    follower, _ = Follower.objects.select_for_update().get_or_create(
        account=account, openid=message.openid
    )
    at = message.sent_at
    changed: set[str] = set()
    if message.event == "unsubscribe":
        _unfollow(follower, at, changed)
    elif message.event == "subscribe":
        _follow(follower, at, message.scene, changed)
    elif not follower.subscribed and _after(at, follower.unsubscribed_at):
        # Only followers can write or tap the menu: the follow predates CareBridge or was lost.
        follower.subscribed = True
        changed.add("subscribed")
    if message.event == "location":
        _locate(follower, message, at, changed)
    kind = grant_kind(message)
    if kind and follower.subscribed:
        if follower.last_interaction_at is None or at > follower.last_interaction_at:
            follower.last_interaction_at = at
            changed.add("last_interaction_at")
    if changed:
        follower.save(update_fields=sorted(changed))
    if kind and follower.subscribed:
        from ..service_window import reopen_grant

        reopen_grant(follower, kind, at=at)  # the window runs from the user's action
    if message.scene:
        from .qr import record_scene_event

        record_scene_event(account, message.scene, message.event)
    return follower


def _after(at, previous) -> bool:
    return previous is None or at >= previous


def _follow(follower: Follower, at, scene: str, changed: set) -> None:
    if not _after(at, follower.unsubscribed_at):
        return  # an unfollow newer than this follow was already recorded
    follower.subscribed = True
    follower.subscribed_at = at
    follower.source_scene = scene
    changed.update({"subscribed", "subscribed_at", "source_scene"})


def _unfollow(follower: Follower, at, changed: set) -> None:
    if not _after(at, follower.subscribed_at):
        return
    follower.subscribed = False
    follower.unsubscribed_at = at
    changed.update({"subscribed", "unsubscribed_at"})


def _locate(follower: Follower, message: Message, at, changed: set) -> None:
    try:
        latitude = float(message.field("Latitude"))
        longitude = float(message.field("Longitude"))
    except ValueError:
        return
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return
    if follower.located_at is not None and at < follower.located_at:
        return
    follower.latitude, follower.longitude, follower.located_at = latitude, longitude, at
    changed.update({"latitude", "longitude", "located_at"})
