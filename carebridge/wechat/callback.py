"""The callback's transport: verify, decrypt and parse a request; wrap and sign a reply."""

import secrets
import time
from dataclasses import dataclass

from django.conf import settings

from . import crypto, xml
from .credentials import Credentials


class Rejected(Exception):
    """The request is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Inbound:
    message: dict
    encrypted: bool


def check_timestamp(timestamp: str) -> None:
    try:
        sent = int(timestamp)
    except (TypeError, ValueError) as exc:
        raise Rejected(403, "missing or malformed timestamp") from exc
    if abs(time.time() - sent) > settings.WECHAT_CALLBACK_MAX_SKEW:
        raise Rejected(403, "stale timestamp (replay?)")


def verify_url(creds: Credentials, params) -> str:
    """WeChat's URL check (GET): answer echostr when the signature is right."""
    check_timestamp(params.get("timestamp"))
    if not crypto.check_signature(
        params.get("signature", ""),
        creds.token,
        params.get("timestamp", ""),
        params.get("nonce", ""),
    ):
        raise Rejected(403, "bad signature")
    echostr = params.get("echostr")
    if not echostr:
        raise Rejected(400, "missing echostr")
    return echostr


def unwrap(creds: Credentials, params, body: bytes) -> Inbound:
    """Verify and decrypt a POSTed message according to the account's mode."""
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    check_timestamp(timestamp)
    if not crypto.check_signature(params.get("signature", ""), creds.token, timestamp, nonce):
        raise Rejected(403, "bad signature")
    if len(body) > settings.WECHAT_CALLBACK_MAX_BYTES:
        raise Rejected(413, "body too large")
    try:
        outer = xml.parse(body)
    except xml.BadXML as exc:
        raise Rejected(400, str(exc)) from exc
    encrypted = params.get("encrypt_type", "raw") == "aes"
    if creds.mode == "safe" and not encrypted:
        raise Rejected(403, "this account accepts encrypted (safe mode) messages only")
    if not encrypted:
        if creds.mode not in ("plaintext", "compatible"):
            raise Rejected(403, "plaintext message refused")
        return Inbound(message=outer, encrypted=False)
    if creds.mode == "plaintext":
        raise Rejected(400, "this account is in plaintext mode; no key to decrypt with")
    encrypt = outer.get("Encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise Rejected(400, "missing Encrypt")
    if not crypto.check_signature(
        params.get("msg_signature", ""), creds.token, timestamp, nonce, encrypt
    ):
        raise Rejected(403, "bad msg_signature")
    try:
        inner = crypto.decrypt(encrypt, creds.aes_key, creds.app_id)
        message = xml.parse(inner)
    except crypto.CryptoError as exc:
        raise Rejected(403, f"cannot decrypt: {exc}") from exc
    except xml.BadXML as exc:
        raise Rejected(400, str(exc)) from exc
    return Inbound(message=message, encrypted=True)


def check_addressee(to_user: str, original_id: str) -> None:
    """Refuse (403, nothing recorded) a message whose ToUserName is not the account's original
    id (gh_…): a message meant for another account, signed with a token the two share or
    replayed from one callback address to another. An error status rather than ``success``, so
    the misrouting shows in WeChat's callback alerts and our log instead of passing unseen.
    Unchecked while the account's original id is not configured (``carebridge check`` says)."""
    if original_id and to_user != original_id:
        raise Rejected(403, "message addressed to another account")


def wrap(creds: Credentials, reply: str, encrypted: bool) -> str:
    """The reply as WeChat expects it: plain XML, or encrypted and signed in safe mode."""
    if not reply or not encrypted:
        return reply
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    encrypt = crypto.encrypt(reply.encode(), creds.aes_key, creds.app_id)
    signature = crypto.signature(creds.token, timestamp, nonce, encrypt)
    return xml.encrypted_envelope(encrypt, signature, timestamp, nonce)


def sign_request(
    creds: Credentials, message_xml: str, encrypted: bool, timestamp: int | None = None
) -> tuple[dict, bytes]:
    """Query parameters and body of a callback as WeChat's servers send it (the sandbox's
    sender, the tests and the benchmark use this)."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = str(secrets.randbelow(10**10))
    params = {
        "signature": crypto.signature(creds.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    if not encrypted:
        return params, message_xml.encode()
    encrypt = crypto.encrypt(message_xml.encode(), creds.aes_key, creds.app_id)
    params.update(
        encrypt_type="aes",
        msg_signature=crypto.signature(creds.token, timestamp, nonce, encrypt),
    )
    body = xml.render({"ToUserName": "", "Encrypt": encrypt})
    return params, body.encode()


def open_reply(creds: Credentials, body: str) -> dict:
    """The reply as a dict, decrypted and its signature checked when it is an envelope."""
    if body in ("", "success"):
        return {}
    doc = xml.parse(body.encode())
    if "Encrypt" not in doc:
        return doc
    if not crypto.check_signature(
        doc.get("MsgSignature", ""), creds.token, doc["TimeStamp"], doc["Nonce"], doc["Encrypt"]
    ):
        raise crypto.CryptoError("reply signature does not match")
    return xml.parse(crypto.decrypt(doc["Encrypt"], creds.aes_key, creds.app_id))
