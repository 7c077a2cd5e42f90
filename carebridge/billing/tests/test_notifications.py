"""Payment notifications as WeChat Pay sends them (built by the sandbox): verified and
decrypted, or refused with an exception that names what is wrong — so the notification view
can answer 4xx and change nothing."""

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.utils import timezone

from carebridge.billing.models import VerifyMode
from carebridge.billing.wxpay import (
    BadSignature,
    NotTrusted,
    SignatureProbe,
    StaleTimestamp,
    UndecryptableResource,
    UnknownSerial,
    WxPayClient,
)
from carebridge.sandbox.models import SandboxPayMerchant, SandboxPayOrder
from carebridge.sandbox.wxpay import merchants, transactions
from carebridge.sandbox.wxpay.notify import build_notification, send_notification
from conftest import ALICE_OPENID

# The merchant fixture's ``mode`` is parametrised, which sets it up after the cache
# clearing (root conftest) that needs the database: the mark opens it first.
pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(merchant):
    """alice paid 12.50 yuan for her registration (placed straight in the sandbox's books)."""
    SandboxPayOrder.objects.create(
        mchid=merchant.mchid,
        appid=merchant.appid,
        out_trade_no="RA20261203000001",
        prepay_id="wx03000000000000000000000000000001",
        description="仁爱医院-挂号费",
        total=1250,
        openid=ALICE_OPENID,
        notify_url=merchant.notify_url,
        time_expire=timezone.now() + timedelta(minutes=30),
    )
    return transactions.pay(merchant.mchid, "RA20261203000001")


def test_a_notification_is_verified_and_decrypted(wxpay, paid):
    headers, body = build_notification(paid)
    notification = wxpay.verify_notification(headers, body)
    assert notification.event_type == "TRANSACTION.SUCCESS"
    assert notification.id == json.loads(body)["id"]
    assert notification.create_time == json.loads(body)["create_time"]
    transaction = notification.resource
    assert transaction["trade_state"] == "SUCCESS"
    assert transaction["out_trade_no"] == "RA20261203000001"
    assert transaction["amount"]["payer_total"] == 1250
    assert transaction["transaction_id"] == paid.transaction_id
    assert transaction["payer"]["openid"] == ALICE_OPENID


def test_django_style_header_names_are_read_too(wxpay, paid):
    headers, body = build_notification(paid)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert wxpay.verify_notification(lowered, body.decode()).resource["trade_state"] == "SUCCESS"


def test_a_notification_older_than_five_minutes_is_refused(wxpay, paid, clock):
    headers, body = build_notification(paid)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(StaleTimestamp):
        wxpay.verify_notification(headers, body)


def test_a_notification_from_the_future_is_refused(wxpay, paid, clock):
    clock.advance(minutes=6)
    headers, body = build_notification(paid)
    clock.advance(minutes=-6)
    with pytest.raises(StaleTimestamp):
        wxpay.verify_notification(headers, body)


def test_the_signtest_probe_is_refused(wxpay, paid):
    headers, body = build_notification(paid)
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]
    with pytest.raises(SignatureProbe):
        wxpay.verify_notification(headers, body)


def test_a_tampered_body_is_refused(wxpay, paid):
    headers, body = build_notification(paid)
    event = json.loads(body)
    event["event_type"] = "REFUND.SUCCESS"
    tampered = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    with pytest.raises(BadSignature):
        wxpay.verify_notification(headers, tampered)


def test_a_notification_signed_with_a_forged_key_is_refused(wxpay, paid, merchant):
    merchants.forge_signatures(merchant.mchid)
    with pytest.raises(BadSignature):
        wxpay.verify_notification(*build_notification(paid))


@pytest.mark.parametrize("header", ["Wechatpay-Signature", "Wechatpay-Nonce", "Wechatpay-Serial"])
def test_a_notification_missing_a_header_is_refused(wxpay, paid, header):
    headers, body = build_notification(paid)
    del headers[header]
    with pytest.raises(NotTrusted):
        wxpay.verify_notification(headers, body)


def test_an_unknown_serial_is_refused(wxpay, paid, merchant, mode):
    merchants.set_mode(merchant.mchid, "certificate" if mode == "public_key" else "public_key")
    with pytest.raises(UnknownSerial):
        wxpay.verify_notification(*build_notification(paid))


def test_a_notification_under_another_apiv3_key_does_not_open(paid, merchant):
    headers, body = build_notification(paid)
    merchant.apiv3_key = "0123456789abcdef0123456789abcdef"  # 32 bytes, not the merchant's
    with pytest.raises(UndecryptableResource):
        WxPayClient(merchant).verify_notification(headers, body)


def test_the_refusals_are_distinct_kinds():
    kinds = [StaleTimestamp, SignatureProbe, BadSignature, UnknownSerial, UndecryptableResource]
    assert len(set(kinds)) == 5
    assert all(issubclass(kind, NotTrusted) for kind in kinds)
    for kind in kinds:
        assert not any(issubclass(kind, other) for other in kinds if other is not kind)


def test_a_notification_is_posted_to_the_notify_url_and_verifies_there(wxpay, paid):
    """Over the wire: the sandbox POSTs to notify_url; what arrives verifies and decrypts."""
    received = {}

    class Merchant(BaseHTTPRequestHandler):
        def do_POST(self):
            received["headers"] = dict(self.headers.items())
            received["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Merchant)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    paid.notify_url = f"http://127.0.0.1:{server.server_port}/billing/wxpay/notify/x/"
    try:
        assert send_notification(paid) == 204
    finally:
        thread.join(timeout=5)
        server.server_close()
    notification = wxpay.verify_notification(received["headers"], received["body"])
    assert notification.resource["out_trade_no"] == "RA20261203000001"


def test_a_notify_url_nobody_answers_is_reported_as_zero(paid):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    paid.notify_url = f"http://127.0.0.1:{port}/"
    assert send_notification(paid) == 0


@pytest.mark.parametrize("mode", [VerifyMode.CERTIFICATE])
def test_an_expired_platform_certificate_vouches_for_nothing(paid, merchant):
    platform = SandboxPayMerchant.objects.get(mchid=merchant.mchid)
    key = serialization.load_pem_private_key(platform.platform_private_key.encode(), None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (sandbox)")])
    now = datetime.now(UTC)
    expired = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int(platform.platform_serial, 16))  # the very serial WeChat Pay names
        .not_valid_before(now - timedelta(days=400))
        .not_valid_after(now - timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    merchant.platform_certificates = expired.public_bytes(serialization.Encoding.PEM).decode()
    with pytest.raises(UnknownSerial):
        WxPayClient(merchant).verify_notification(*build_notification(paid))
