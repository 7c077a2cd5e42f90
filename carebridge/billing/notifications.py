"""A WeChat Pay notification as the view hands it to ``apply_notification``: its id, event type
and decrypted resource (wxpay.Notification), read only once its signature, timestamp and serial
checked out, by a client kept per merchant."""

import time

from .wxpay import Notification, WxPayClient

__all__ = ["BadNotification", "Notification", "notification_client", "read_notification"]

# A client is rebuilt after this long, so a platform certificate that has expired since stops
# vouching (WxPayClient checks validity when it loads the certificates).
CLIENT_LIFETIME = 600.0  # seconds
_clients: dict[int, tuple[tuple, float, WxPayClient]] = {}


class BadNotification(ValueError):
    """A verified notification whose resource lacks a field its event needs, or has one of
    the wrong kind: applied to nothing, refused with 400 naming it."""


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
    """``body`` verified and decrypted by ``client``: its envelope (id, event_type…) and its
    resource. NotTrusted and its kinds pass through (an envelope without its id or event type
    does not open: UndecryptableResource)."""
    return client.verify_notification(headers, body)
