"""Payment notifications (支付成功通知): built and signed as WeChat Pay builds them, the
transaction encrypted with AEAD_AES_256_GCM under the merchant's APIv3 key, and POSTed to the
order's notify_url. One delivery per call; WeChat's retry schedule comes with the orders."""

import base64
import secrets
import string
import uuid

import httpx
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone

from ..models import SandboxPayMerchant, SandboxPayOrder
from . import dumps, rfc3339, signature_headers
from .transactions import transaction_data

TIMEOUT = 5.0  # WeChat Pay waits 5 s for the merchant's answer
ASSOCIATED_DATA = "transaction"
NONCE_CHARS = string.ascii_letters + string.digits


def build_notification(order: SandboxPayOrder) -> tuple[dict, bytes]:
    """The signed headers and the body of ``order``'s TRANSACTION.SUCCESS notification."""
    merchant = SandboxPayMerchant.objects.get(mchid=order.mchid)
    nonce = "".join(secrets.choice(NONCE_CHARS) for _ in range(12))  # 12 bytes, as WeChat's
    ciphertext = AESGCM(merchant.apiv3_key.encode()).encrypt(
        nonce.encode(), dumps(transaction_data(order)).encode(), ASSOCIATED_DATA.encode()
    )
    body = dumps(
        {
            "id": str(uuid.uuid4()),
            "create_time": rfc3339(timezone.now()),
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": ASSOCIATED_DATA,
                "nonce": nonce,
            },
        }
    )
    headers = {"Content-Type": "application/json", **signature_headers(merchant, body)}
    return headers, body.encode()


def send_notification(order: SandboxPayOrder) -> int:
    """POST ``order``'s notification to its notify_url once; the merchant's HTTP status
    (0 when it did not answer). 200 or 204 means received."""
    headers, body = build_notification(order)
    try:
        response = httpx.post(order.notify_url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError:
        return 0
    return response.status_code
