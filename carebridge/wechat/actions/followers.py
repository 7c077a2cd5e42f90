"""Followers kept current from the events that change them: follow, unfollow, location, scan.

What any message says about its sender (the follower on first sight, the subscription it
proves, the last interaction, the customer-service grant) is applied from its receipt by
followers_pending.py, on both of the callback's paths. What an event changes beyond that is
applied here, in the callback's transaction, right after.

WeChat may deliver events late or out of order (retries), so a follow and an unfollow compare
their own times (CreateTime) with the latest one recorded: an older event never undoes a newer.
"""

from django.db import transaction

from ..messages import Message
from ..models import Follower
from .followers_pending import catch_up
from .qr import record_scene_event


# No savepoint when nested: the callback's own transaction already makes it all or nothing,
# and this runs on every inbound message it handles (two round trips saved).
@transaction.atomic(savepoint=False)
def track_follower(account, message: Message) -> Follower:
    """Apply the sender's pending receipts, ``message``'s among them (``catch_up``: the earlier
    ones first, so a follow or unfollow lands after them), then what the event itself changes;
    return the sender's Follower."""
    catch_up(account.pk, message.openid)
    follower = Follower.objects.select_for_update().get(account=account, openid=message.openid)
    at = message.sent_at
    changed: set[str] = set()
    if message.event == "unsubscribe":
        _unfollow(follower, at, changed)
    elif message.event == "subscribe":
        _follow(follower, at, message.scene, changed)
    if message.event == "location":
        _locate(follower, message, at, changed)
    if changed:
        follower.save(update_fields=sorted(changed))
    if message.scene:
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
