"""Enrolment: a merchant account opened at the sandbox's WeChat Pay, and the same merchant
configured in CareBridge (billing.Merchant), as a hospital's finance office would do it with
the keys from WeChat Pay's merchant platform."""

import secrets
import string
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from carebridge.billing.models import Merchant, VerifyMode

from ..models import SandboxPayMerchant

MODES = (VerifyMode.CERTIFICATE, VerifyMode.PUBLIC_KEY)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,  # apiclient_key.pem's format
        serialization.NoEncryption(),
    ).decode()


def _public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _certificate(key, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )


def _serial(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


def enroll(institution, appid: str, mode: str = VerifyMode.PUBLIC_KEY, mchid: str = "") -> Merchant:
    """Open a merchant for ``institution`` at the sandbox and configure it in CareBridge, in
    verification ``mode`` (both sides); return the billing Merchant."""
    mchid = mchid or "19" + "".join(secrets.choice(string.digits) for _ in range(8))
    merchant_key, platform_key = _key(), _key()
    merchant_cert = _certificate(merchant_key, f"{mchid} merchant API certificate")
    platform_cert = _certificate(platform_key, "Tenpay.com Root CA (sandbox)")
    apiv3_key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    public_key_id = f"PUB_KEY_ID_01{mchid}{secrets.token_hex(8).upper()}"
    SandboxPayMerchant.objects.create(
        mchid=mchid,
        appid=appid,
        merchant_serial=_serial(merchant_cert),
        merchant_public_key=_public_pem(merchant_key),
        apiv3_key=apiv3_key,
        platform_private_key=_private_pem(platform_key),
        platform_serial=_serial(platform_cert),
        platform_certificate=platform_cert.public_bytes(serialization.Encoding.PEM).decode(),
        public_key_id=public_key_id,
        mode=mode,
    )
    return Merchant.objects.create(
        institution=institution,
        mchid=mchid,
        appid=appid,
        cert_serial_no=_serial(merchant_cert),
        private_key=_private_pem(merchant_key),
        apiv3_key=apiv3_key,
        verify_mode=mode,
        public_key_id=public_key_id,
        public_key=_public_pem(platform_key),
        platform_certificates=platform_cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


def set_mode(mchid: str, mode: str) -> None:
    """Switch what the sandbox names in Wechatpay-Serial (WeChat's move to public keys)."""
    if mode not in MODES:
        raise ValueError(mode)
    SandboxPayMerchant.objects.filter(mchid=mchid).update(mode=mode)


def forge_signatures(mchid: str, forge: bool = True) -> None:
    """Sign the merchant's answers and notifications with a stray key from now on (tests)."""
    SandboxPayMerchant.objects.filter(mchid=mchid).update(forge_signatures=forge)
