"""Telling the HIS what was paid here: a bill paid (by WeChat Pay or the deposit) or a deposit
credited. Each event is an outbox row written with the change it announces; the worker POSTs
it as JSON to the institution's HIS callback URL (BillingPolicy), signed with HMAC-SHA256 when a
secret is set. Without a URL the row is marked sent with nothing sent: the HIS then reads the
state through the API (GET /api/billing/bills/{identifier})."""

import hashlib
import hmac
import json

import httpx

from carebridge.institutions.models import Institution
from carebridge.lib.http import outgoing
from carebridge.outbox.actions import enqueue_once
from carebridge.outbox.registry import GiveUp, RetryLater, handler

from .models import BillingPolicy

TOPIC = "billing.his_event"
SIGNATURE_HEADER = "X-CareBridge-Signature"
TIMEOUT = 10


def announce_bills_paid(order, bills) -> None:
    enqueue_once(
        TOPIC,
        {
            "institution": order.institution_id,
            "event": "bills.paid",
            "out_trade_no": order.out_trade_no,
            "transaction_id": order.transaction_id,
            "paid_at": order.paid_at.isoformat() if order.paid_at else None,
            "bills": [
                {
                    "identifier": b.his_id,
                    "total": b.total,
                    "paid_wxpay": b.paid_wxpay,
                    "paid_deposit": b.paid_deposit,
                    "paid_insurance": b.paid_insurance,
                }
                for b in bills
            ],
        },
        dedup_key=f"his:bills-paid:{order.pk}",
    )


def announce_credit(movement) -> None:
    enqueue_once(
        TOPIC,
        {
            "institution": movement.institution_id,
            "event": "deposit.credited",
            "patient_id": movement.account.patient_id,
            "kind": movement.kind,
            "amount": movement.amount,
            "balance": movement.balance_after,
            "receipt_no": movement.receipt_no,
            "out_trade_no": movement.order.out_trade_no if movement.order_id else None,
        },
        dedup_key=f"his:deposit:{movement.pk}",
    )


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@handler(TOPIC)
def send_to_his(message) -> dict:
    """POST the event; a 2xx is done, a 4xx is the HIS refusing it (given up, staff alerted),
    anything else is tried again later (the HIS must treat a repeat as done: each event
    carries its order number or receipt)."""
    payload = message.payload
    institution = Institution.objects.get(pk=payload["institution"])
    policy = BillingPolicy.for_institution(institution)
    if not policy.his_callback_url:
        return {"skipped": "no HIS callback URL"}
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if policy.his_callback_secret:
        headers[SIGNATURE_HEADER] = signature(policy.his_callback_secret, body)
    try:
        answer = outgoing().post(
            policy.his_callback_url, content=body, headers=headers, timeout=TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise RetryLater(f"HIS unreachable: {exc}") from exc
    if 200 <= answer.status_code < 300:
        return {"status": answer.status_code}
    if 400 <= answer.status_code < 500:
        raise GiveUp(f"HIS refused: HTTP {answer.status_code}")
    raise RetryLater(f"HIS answered HTTP {answer.status_code}")
