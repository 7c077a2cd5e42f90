"""A WeChat Pay notification as the view hands it to ``apply_notification``: its id, event type
and decrypted resource, read only once its signature, timestamp and serial checked out."""

import json
import time
from dataclasses import dataclass

from .wxpay import WxPayClient

# A client is rebuilt after this long, so a platform certificate that has expired since stops
# vouching (WxPayClient checks validity when it loads the certificates).
CLIENT_LIFETIME = 600.0  # seconds
_clients: dict[int, tuple[tuple, float, WxPayClient]] = {}


class BadNotification(ValueError):
    """A verified notification whose envelope or resource lacks a field, or has one of the
    wrong kind: applied to nothing, refused with 400 naming it."""


@dataclass(frozen=True)
class Notification:
    id: str
    event_type: str
    resource: dict


def notification_client(merchant) -> WxPayClient:
    """``merchant``'s client, kept per process while its row is unchanged (and for at most
    CLIENT_LIFETIME): building one loads the merchant's RSA private key, which cryptography
    validates at about 35 ms of CPU, ten times the cost of verifying a notification
    (bench/RESULTS.md, "Payments")."""
    version = (merchant.mchid, merchant.updated_at)
    kept = _clients.get(merchant.pk)
    now = time.monotonic()
    if kept is not None and kept[0] == version and now - kept[1] < CLIENT_LIFETIME:
        return kept[2]
    client = WxPayClient(merchant)
    _clients[merchant.pk] = (version, now, client)
    return client


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
