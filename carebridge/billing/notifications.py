"""A WeChat Pay notification as the view hands it to ``apply_notification``: its id, event type
and decrypted resource, read only once its signature, timestamp and serial checked out."""

import json
from dataclasses import dataclass

from .wxpay import WxPayClient


class BadNotification(ValueError):
    """A verified notification whose envelope or resource lacks a field, or has one of the
    wrong kind: applied to nothing, refused with 400 naming it."""


@dataclass(frozen=True)
class Notification:
    id: str
    event_type: str
    resource: dict


def read_notification(client: WxPayClient, headers, body: bytes) -> Notification:
    """Verify and decrypt ``body`` (NotTrusted and its kinds pass through), then read the
    envelope's id and event type.

    ``verify_notification`` returns the decrypted resource today; the envelope's own fields are
    read from the body here, after the signature over that very body checked out. (When the
    client returns the envelope itself, with ``id`` and ``event_type``, this reads them from
    it instead: only this function changes.)"""
    resource = client.verify_notification(headers, body)
    try:
        envelope = json.loads(body)
        notification_id, event_type = envelope["id"], envelope["event_type"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadNotification(f"envelope: {exc}") from exc
    if not (isinstance(notification_id, str) and 0 < len(notification_id) <= 64):
        raise BadNotification("id")
    if not (isinstance(event_type, str) and 0 < len(event_type) <= 32):
        raise BadNotification("event_type")
    return Notification(notification_id, event_type, resource)
