"""WeChat Pay's side of billing's tests: an order placed (and paid) in the sandbox's books, any
notification signed and encrypted as WeChat Pay does it, and posting one to our notify_url."""

import base64
import json
import secrets
import uuid
from datetime import timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone

from carebridge.billing.models import Order, OrderKind, OrderStatus, Refund
from carebridge.sandbox.models import SandboxPayMerchant, SandboxPayOrder
from carebridge.sandbox.wxpay import dumps, rfc3339, signature_headers
from carebridge.sandbox.wxpay import transactions as sandbox_pay
from carebridge.sandbox.wxpay.resources import transaction_data

OPENID = "o_alice_0000000000000000000"


def placed(order, merchant=None, total=None) -> SandboxPayOrder:
    """``order`` as if prepaid at the sandbox (its books only), for ``total`` (default the
    order's)."""
    merchant = merchant or order.institution.merchant
    return SandboxPayOrder.objects.create(
        mchid=merchant.mchid,
        appid=merchant.appid,
        out_trade_no=order.out_trade_no,
        prepay_id="wx" + secrets.token_hex(16),
        description=order.description,
        total=order.total if total is None else total,
        openid=OPENID,
        notify_url=merchant.notify_url,
        time_expire=order.expires_at,
    )


def paid(order, merchant=None, total=None) -> SandboxPayOrder:
    """``order`` placed and paid by the payer at the sandbox."""
    placed(order, merchant, total)
    mchid = (merchant or order.institution.merchant).mchid
    return sandbox_pay.pay(mchid, order.out_trade_no)


def signed(mchid: str, event_type: str, resource: dict, notification_id: str | None = None):
    """The headers and body of a notification of ``event_type`` carrying ``resource``, signed
    with the sandbox merchant ``mchid``'s platform key and encrypted under its APIv3 key."""
    merchant = SandboxPayMerchant.objects.get(mchid=mchid)
    nonce = secrets.token_hex(6)
    kind = "refund" if event_type.startswith("REFUND") else "transaction"
    ciphertext = AESGCM(merchant.apiv3_key.encode()).encrypt(
        nonce.encode(), dumps(resource).encode(), kind.encode()
    )
    body = dumps(
        {
            "id": notification_id or str(uuid.uuid4()),
            "create_time": rfc3339(timezone.now()),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "通知",
            "resource": {
                "original_type": kind,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": kind,
                "nonce": nonce,
            },
        }
    )
    headers = {"Content-Type": "application/json", **signature_headers(merchant, body)}
    return headers, body.encode()


def payment_notification(sandbox_order: SandboxPayOrder, notification_id=None, **changes):
    """TRANSACTION.SUCCESS for a paid sandbox order, its transaction changed by ``changes``."""
    data = {**transaction_data(sandbox_order), **changes}
    return signed(sandbox_order.mchid, "TRANSACTION.SUCCESS", data, notification_id)


def refund_resource(refund, status="SUCCESS", **changes) -> dict:
    order = refund.order
    data = {
        "mchid": order.institution.merchant.mchid,
        "out_trade_no": order.out_trade_no,
        "transaction_id": order.transaction_id,
        "out_refund_no": refund.out_refund_no,
        "refund_id": "50" + secrets.token_hex(8),
        "refund_status": status,
        "success_time": rfc3339(timezone.now()) if status == "SUCCESS" else None,
        "user_received_account": "支付用户零钱",
        "amount": {
            "total": order.paid_wxpay,
            "refund": refund.amount,
            "payer_total": order.paid_wxpay,
            "payer_refund": refund.amount,
        },
    }
    if data["success_time"] is None:
        del data["success_time"]
    data.update(changes)
    return data


def refund_notification(refund, status="SUCCESS", notification_id=None, **changes):
    resource = refund_resource(refund, status, **changes)
    return signed(resource["mchid"], f"REFUND.{status}", resource, notification_id)


def post(client, mchid: str, headers: dict, body: bytes):
    """POST a notification to ``mchid``'s notify_url as WeChat Pay does."""
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    extra.pop("HTTP_CONTENT_TYPE", None)
    return client.post(
        f"/billing/wxpay/notify/{mchid}/", body, content_type="application/json", **extra
    )


def answer(response) -> dict:
    return json.loads(response.content) if response.content else {}


def later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


# Orders and refunds written as billing's actions leave them, for the pages' tests (which only
# read them).


def order(patient, *, status=OrderStatus.PENDING, total=1400, minutes=15, **fields):
    """An order of ``patient`` paid for by its owner's WeChat; PAID/REFUNDED ones paid by
    WeChat Pay (``paid_deposit`` moves part of it to the deposit)."""
    fields.setdefault("kind", OrderKind.REGISTRATION)
    fields.setdefault("description", "仁爱医院-挂号费")
    fields.setdefault("follower", patient.owner)
    if status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        deposit = fields.pop("paid_deposit", 0)
        fields.update(
            paid_wxpay=total - deposit,
            paid_deposit=deposit,
            paid_at=timezone.now(),
            transaction_id=fields.get("transaction_id", "4200000001202612030000000001"),
        )
    if status == OrderStatus.CLOSED:
        fields["closed_at"] = timezone.now()
    return Order.objects.create(
        institution=patient.owner.account.institution,
        patient=patient,
        status=status,
        total=total,
        expires_at=timezone.now() + timedelta(minutes=minutes),
        **fields,
    )


def refund(order, amount=None, status="PROCESSING", reason="取消预约退挂号费"):
    return Refund.objects.create(
        order=order, amount=amount or order.total, status=status, reason=reason
    )


def follow_up(now=None) -> int:
    """The worker's sweep over paid orders' follow-ups (Order.follow_up_due), and nothing else
    (the confirmations they queue stay queued): how many it ran."""
    from carebridge.billing.actions.orders import follow_up_payments

    return follow_up_payments(limit=1000, now=now)
