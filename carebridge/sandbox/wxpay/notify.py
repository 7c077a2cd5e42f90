"""Notifications (支付成功通知, 退款结果通知): built and signed as WeChat Pay builds them, the
resource encrypted with AEAD_AES_256_GCM under the merchant's APIv3 key, queued, and POSTed
to the notify_url on WeChat's retry schedule until the merchant answers 200 or 204.

WeChat Pay v3 tries again after 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (24 h 4 min
in all, 16 tries) while the merchant does not answer 2xx within 5 s. SANDBOX_PAY_RETRY_SCALE
shortens the pauses (the demo's is a fraction of one); tests move the clock, they never sleep.
"""

import base64
import logging
import secrets
import string
import uuid
from datetime import timedelta

import httpx
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from ..models import SandboxPayMerchant, SandboxPayNotification, SandboxPayOrder, SandboxPayRefund
from . import dumps, rfc3339, signature_headers
from .resources import refund_notice_data, transaction_data

log = logging.getLogger("carebridge.sandbox")
TIMEOUT = 5.0  # WeChat Pay waits 5 s for the merchant's answer
NONCE_CHARS = string.ascii_letters + string.digits
RETRY_PAUSES = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600]  # seconds
RETRY_PAUSES += [3 * 3600] * 3 + [6 * 3600] * 2
LEASE = timedelta(seconds=60)  # a sender that died mid-POST leaves the row due again after this
REFUND_SUMMARY = {"SUCCESS": "退款成功", "ABNORMAL": "退款异常", "CLOSED": "退款关闭"}


def _envelope(merchant, event_type: str, summary: str, kind: str, data: dict) -> str:
    """The notification body: the envelope and ``data`` encrypted with associated_data
    ``kind`` (``transaction`` or ``refund``, as WeChat Pay's)."""
    nonce = "".join(secrets.choice(NONCE_CHARS) for _ in range(12))  # 12 bytes, as WeChat's
    ciphertext = AESGCM(merchant.apiv3_key.encode()).encrypt(
        nonce.encode(), dumps(data).encode(), kind.encode()
    )
    return dumps(
        {
            "id": str(uuid.uuid4()),
            "create_time": rfc3339(timezone.now()),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": kind,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": kind,
                "nonce": nonce,
            },
        }
    )


def _signed(merchant, body: str) -> tuple[dict, bytes]:
    return {"Content-Type": "application/json", **signature_headers(merchant, body)}, body.encode()


def payment_body(order: SandboxPayOrder) -> str:
    merchant = SandboxPayMerchant.objects.get(mchid=order.mchid)
    data = transaction_data(order)
    return _envelope(merchant, "TRANSACTION.SUCCESS", "支付成功", "transaction", data)


def refund_body(refund: SandboxPayRefund) -> str:
    merchant = SandboxPayMerchant.objects.get(mchid=refund.mchid)
    event_type = f"REFUND.{refund.status}"
    summary = REFUND_SUMMARY[refund.status]
    return _envelope(merchant, event_type, summary, "refund", refund_notice_data(refund))


def build_notification(order: SandboxPayOrder) -> tuple[dict, bytes]:
    """The signed headers and the body of ``order``'s TRANSACTION.SUCCESS notification."""
    return _signed(SandboxPayMerchant.objects.get(mchid=order.mchid), payment_body(order))


def build_refund_notification(refund: SandboxPayRefund) -> tuple[dict, bytes]:
    """The signed headers and body of ``refund``'s REFUND.<status> notification."""
    return _signed(SandboxPayMerchant.objects.get(mchid=refund.mchid), refund_body(refund))


def _post(url: str, headers: dict, body: bytes) -> int:
    """One POST; the merchant's HTTP status, 0 when it did not answer."""
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError:
        return 0
    return response.status_code


def send_notification(order: SandboxPayOrder) -> int:
    """POST ``order``'s notification to its notify_url once, outside the retry schedule; the
    merchant's HTTP status (0 when it did not answer). 200 or 204 means received."""
    return _post(order.notify_url, *build_notification(order))


def queue(mchid: str, notify_url: str, event_type: str, body: str) -> SandboxPayNotification:
    """Owe the merchant a notification, due at once."""
    return SandboxPayNotification.objects.create(
        mchid=mchid,
        notify_url=notify_url,
        event_type=event_type,
        body=body,
        next_attempt_at=timezone.now(),
    )


def queue_payment(order: SandboxPayOrder) -> SandboxPayNotification:
    return queue(order.mchid, order.notify_url, "TRANSACTION.SUCCESS", payment_body(order))


def queue_refund(refund: SandboxPayRefund) -> SandboxPayNotification | None:
    if not refund.notify_url:  # WeChat notifies a refund only when it was given a notify_url
        return None
    return queue(refund.mchid, refund.notify_url, f"REFUND.{refund.status}", refund_body(refund))


def pause_after(attempt: int) -> timedelta | None:
    """How long WeChat waits after failed try number ``attempt`` (1-based); None after the
    last one. Scaled by SANDBOX_PAY_RETRY_SCALE."""
    if attempt > len(RETRY_PAUSES):
        return None
    return timedelta(seconds=RETRY_PAUSES[attempt - 1] * settings.SANDBOX_PAY_RETRY_SCALE)


def deliver_due(now=None, limit: int = 100) -> int:
    """Send the notifications due at ``now`` (default: the clock), oldest due first; return
    how many were tried. Each is claimed with a conditional update first, so two processes
    running this never send the same try twice."""
    now = now or timezone.now()
    due = SandboxPayNotification.objects.filter(
        next_attempt_at__lte=now, delivered_at__isnull=True
    ).order_by("next_attempt_at", "id")[:limit]
    tried = 0
    for note in list(due):
        claimed = SandboxPayNotification.objects.filter(
            pk=note.pk, attempts=note.attempts, next_attempt_at=note.next_attempt_at
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
        if not claimed:
            continue
        tried += 1
        _attempt(note, note.attempts + 1, now)
    return tried


def _attempt(note: SandboxPayNotification, attempt: int, now) -> None:
    merchant = SandboxPayMerchant.objects.get(mchid=note.mchid)
    status = _post(note.notify_url, *_signed(merchant, note.body))
    if status in (200, 204):
        note.delivered_at, note.next_attempt_at = timezone.now(), None
    else:
        pause = pause_after(attempt)
        note.next_attempt_at = now + pause if pause is not None else None
        if pause is None:
            log.warning("sandbox pay: notification %s undelivered after %d tries", note.pk, attempt)
    note.last_status = status
    note.save(update_fields=["delivered_at", "next_attempt_at", "last_status"])
