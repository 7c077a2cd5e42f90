"""The HIS hears of payments through the outbox: a POST to its callback URL, signed when a
secret is set; nothing sent without a URL; a refusal given up, an outage retried."""

import hashlib
import hmac
import json

import httpx
import pytest

from carebridge.billing import his
from carebridge.billing.models import BillingPolicy
from carebridge.outbox.models import OutboxMessage
from carebridge.outbox.registry import GiveUp, RetryLater

from .bill_helpers import paid_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def his_server(monkeypatch):
    """The HIS's endpoint: answers ``status`` and keeps what it received."""
    received = {"status": 200, "requests": []}

    def answer(request):
        received["requests"].append(request)
        return httpx.Response(received["status"])

    client = httpx.Client(transport=httpx.MockTransport(answer))
    monkeypatch.setattr(his, "outgoing", lambda: client)
    return received


def events():
    return list(OutboxMessage.objects.filter(topic=his.TOPIC).order_by("id"))


def test_without_a_callback_url_nothing_is_sent(alice_self, his_server):
    paid_bill(alice_self)
    assert [e.payload["event"] for e in events()] == ["deposit.credited", "bills.paid"]
    assert his.send_to_his(events()[1]) == {"skipped": "no HIS callback URL"}
    assert his_server["requests"] == []


def test_a_paid_bill_is_posted_to_the_his_signed(hospital, alice_self, his_server):
    BillingPolicy.objects.create(
        institution=hospital,
        his_callback_url="https://his.renai.example.cn/carebridge",
        his_callback_secret="s3cret",
    )
    paid_bill(alice_self)
    assert his.send_to_his(events()[1]) == {"status": 200}
    [request] = his_server["requests"]
    sent = json.loads(request.content)
    assert sent["event"] == "bills.paid"
    assert sent["bills"] == [
        {
            "identifier": "MZ20261203001",
            "total": 4500,
            "paid_wxpay": 0,
            "paid_deposit": 4500,
            "paid_insurance": 0,
        }
    ]
    expected = hmac.new(b"s3cret", request.content, hashlib.sha256).hexdigest()
    assert request.headers[his.SIGNATURE_HEADER] == f"sha256={expected}"


@pytest.mark.parametrize("status, error", [(503, RetryLater), (400, GiveUp)])
def test_an_outage_is_retried_and_a_refusal_given_up(
    hospital, alice_self, his_server, status, error
):
    BillingPolicy.objects.create(institution=hospital, his_callback_url="https://his.example.cn/")
    paid_bill(alice_self)
    his_server["status"] = status
    with pytest.raises(error):
        his.send_to_his(events()[1])
