"""The merchant's client for WeChat Pay API v3: JSAPI and Native prepay, the H5 page's paySign,
query, close, refunds, the daily trade bill, and the verification of WeChat Pay's answers and
notifications.

Built on wechatpayv3's primitives (``rsa_sign``, ``rsa_verify``, ``aes_decrypt``, key
loading), not on its ``WeChatPay`` class: that class talks to a hard-coded
``https://api.mch.weixin.qq.com`` (no base URL parameter; only the private ``_core._gate_way``),
through ``requests`` rather than our pooled httpx client, downloads platform certificates over
the network in its constructor in certificate mode, checks no timestamp skew and no
``WECHATPAY/SIGNTEST/`` probe, and answers every failed notification check with the same
``None``. Here the calls go to ``settings.WECHATPAY_API_BASE`` (the sandbox on loopback outside
production) and each refusal is an exception of its own, so the notification view can answer
4xx and change nothing.

Requests are signed over the API path (``/v3/pay/...``) whatever the base URL's own path:
the sandbox, mounted at /sandbox/pay, verifies against the same path WeChat would.
"""

import gzip
import hashlib
import json
import re
import secrets
import zlib
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urlsplit

import httpx
from cryptography import x509
from django.conf import settings
from django.utils import timezone
from wechatpayv3.utils import aes_decrypt, load_private_key, load_public_key, rsa_sign, rsa_verify

from carebridge.lib.http import outgoing

from .models import Merchant, VerifyMode

SCHEME = "WECHATPAY2-SHA256-RSA2048"
PROBE_PREFIX = "WECHATPAY/SIGNTEST/"
JSAPI_PATH = "/v3/pay/transactions/jsapi"
NATIVE_PATH = "/v3/pay/transactions/native"
ORDER_PATH = "/v3/pay/transactions/out-trade-no/{}"
REFUNDS_PATH = "/v3/refund/domestic/refunds"
TRADEBILL_PATH = "/v3/bill/tradebill"
# WeChat also allows | and * in out_trade_no (and @ in out_refund_no), but those travel
# percent-encoded and the signed path must be the path as sent; our own numbers never need
# them, so they are refused here.
OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-]{6,32}$")
OUT_REFUND_NO = re.compile(r"^[0-9A-Za-z_\-]{1,64}$")
BILL_TYPES = ("ALL", "SUCCESS", "REFUND")
BILL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class WxPayError(Exception):
    """Anything that went wrong talking to WeChat Pay."""


class WxPayRefused(WxPayError):
    """WeChat Pay answered with an error: ``status`` and its ``code`` (SIGN_ERROR, ORDERPAID…)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class WxPayUnavailable(WxPayError):
    """No answer (connection refused, timeout): the outcome of the call is unknown."""


class NotTrusted(WxPayError):
    """A signed message (answer or notification) failed a check: act on nothing in it."""


class StaleTimestamp(NotTrusted):
    """Wechatpay-Timestamp is more than WECHATPAY_MAX_SKEW seconds from our clock."""


class SignatureProbe(NotTrusted):
    """WeChat Pay's ``WECHATPAY/SIGNTEST/`` probe: it checks that we refuse bad signatures."""


class BadSignature(NotTrusted):
    """The signature is missing or does not verify with the key the serial names."""


class UnknownSerial(NotTrusted):
    """Wechatpay-Serial names no certificate or public key this merchant trusts."""


class UndecryptableResource(NotTrusted):
    """The notification's resource does not open with the APIv3 key (or is malformed)."""


class NoStatement(WxPayRefused):
    """``NO_STATEMENT_EXIST``: WeChat Pay has no trade bill for that day (no trades)."""


class BillCorrupted(WxPayError):
    """The downloaded trade bill does not gunzip or its SHA-1 is not the announced one."""


@dataclass(frozen=True)
class Notification:
    """A verified notification: its envelope (``id`` — the same on each of WeChat's retries —
    ``event_type`` such as TRANSACTION.SUCCESS or REFUND.SUCCESS, ``create_time`` RFC 3339,
    ``summary``) and its decrypted ``resource`` (the transaction, or the refund)."""

    id: str
    event_type: str
    create_time: str
    summary: str
    resource: dict


def _nonce() -> str:
    return secrets.token_hex(16).upper()


def _checked(out_trade_no: str) -> str:
    if not OUT_TRADE_NO.match(out_trade_no):
        raise ValueError(f"out_trade_no must be 6-32 of [0-9A-Za-z_-], not {out_trade_no!r}")
    return out_trade_no


def _checked_refund_no(out_refund_no: str) -> str:
    if not OUT_REFUND_NO.match(out_refund_no):
        raise ValueError(f"out_refund_no must be 1-64 of [0-9A-Za-z_-], not {out_refund_no!r}")
    return out_refund_no


def _fen(name: str, value) -> int:
    if type(value) is not int or value <= 0:
        raise ValueError(f"{name} must be a positive integer of fen, not {value!r}")
    return value


def _now() -> int:
    return int(timezone.now().timestamp())


def _header(headers, name: str) -> str:
    """A header from a dict, httpx's headers or Django's ``request.headers``, any case."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


class WxPayClient:
    """One merchant's calls. Construct per use: keys are loaded from the (encrypted) row."""

    def __init__(self, merchant: Merchant, base: str | None = None):
        self.merchant = merchant
        self.base = (base or settings.WECHATPAY_API_BASE).rstrip("/")
        self._private_key = load_private_key(merchant.private_key)
        self._keys = self._trusted_keys(merchant)

    @staticmethod
    def _trusted_keys(merchant: Merchant) -> dict:
        """Serial (upper case) → public key, for the merchant's verification mode only."""
        if merchant.verify_mode == VerifyMode.PUBLIC_KEY:
            if not merchant.public_key:
                return {}
            return {merchant.public_key_id.upper(): load_public_key(merchant.public_key)}
        if not merchant.platform_certificates:
            return {}
        now = timezone.now()
        certs = x509.load_pem_x509_certificates(merchant.platform_certificates.encode())
        # An expired (or not yet valid) platform certificate vouches for nothing.
        return {
            format(c.serial_number, "X"): c.public_key()
            for c in certs
            if c.not_valid_before_utc <= now <= c.not_valid_after_utc
        }

    # --- signing our requests ---------------------------------------------------------------

    def authorization(self, method: str, path: str, body: str, timestamp: int | None = None) -> str:
        """The Authorization header for ``METHOD\\nPATH?QUERY\\nts\\nnonce\\nbody\\n``."""
        timestamp = _now() if timestamp is None else timestamp
        nonce = _nonce()
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n"
        signature = rsa_sign(self._private_key, message)
        return (
            f'{SCHEME} mchid="{self.merchant.mchid}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",'
            f'serial_no="{self.merchant.cert_serial_no}"'
        )

    def _send(self, method: str, path: str, body: str = "", url: str = "") -> httpx.Response:
        """Sign ``METHOD path body`` and send it (to ``url`` when given, else base + path)."""
        headers = {
            "Authorization": self.authorization(method, path, body),
            "Accept": "application/json",
            "User-Agent": "CareBridge",
        }
        if body:
            headers["Content-Type"] = "application/json"
        if self.merchant.verify_mode == VerifyMode.PUBLIC_KEY:
            # Tells WeChat Pay which of its keys we verify with, as its public-key mode asks.
            headers["Wechatpay-Serial"] = self.merchant.public_key_id
        try:
            return outgoing().request(
                method,
                url or self.base + path,
                content=body.encode(),
                headers=headers,
                timeout=settings.WECHAT_HTTP_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise WxPayUnavailable(f"{method} {path}: {exc.__class__.__name__}") from exc

    def _call(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict]:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else ""
        response = self._send(method, path, body)
        text = response.content.decode("utf-8", errors="replace")
        if 200 <= response.status_code < 300 or _header(response.headers, "Wechatpay-Signature"):
            # A success is only believed signed; a refusal is checked when it carries a signature.
            self.verify_signature(response.headers, text)
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            answer = {"code": "INVALID_ANSWER", "message": text[:200]}
        if not 200 <= response.status_code < 300:
            code = str(answer.get("code", ""))
            kind = NoStatement if code == "NO_STATEMENT_EXIST" else WxPayRefused
            raise kind(response.status_code, code, str(answer.get("message", "")))
        return response.status_code, answer

    # --- the API --------------------------------------------------------------------------

    def _order(self, out_trade_no, description, total, time_expire, attach) -> dict:
        data = {
            "appid": self.merchant.appid,
            "mchid": self.merchant.mchid,
            "description": description,
            "out_trade_no": _checked(out_trade_no),
            "notify_url": self.merchant.notify_url,
            "amount": {"total": total, "currency": "CNY"},
        }
        if time_expire:
            data["time_expire"] = time_expire
        if attach:
            data["attach"] = attach
        return data

    def jsapi_prepay(
        self,
        *,
        out_trade_no: str,
        description: str,
        total: int,
        openid: str,
        time_expire: str | None = None,
        attach: str | None = None,
    ) -> str:
        """Place a JSAPI order; return its ``prepay_id`` (valid two hours at WeChat).
        ``total`` is integer fen; ``time_expire`` RFC 3339 (the last moment to pay)."""
        data = self._order(out_trade_no, description, total, time_expire, attach)
        data["payer"] = {"openid": openid}
        _, answer = self._call("POST", JSAPI_PATH, data)
        return answer["prepay_id"]

    def native_prepay(
        self,
        *,
        out_trade_no: str,
        description: str,
        total: int,
        time_expire: str | None = None,
        attach: str | None = None,
    ) -> str:
        """Place a Native order (the cashier's QR code); return its ``code_url``
        (``weixin://wxpay/bizpayurl?pr=…``), to be shown as a QR code and scanned in WeChat.
        The same order placed again with the same fields gets the same code_url."""
        data = self._order(out_trade_no, description, total, time_expire, attach)
        _, answer = self._call("POST", NATIVE_PATH, data)
        return answer["code_url"]

    def jsapi_params(self, prepay_id: str) -> dict:
        """What the H5 page hands to ``WeixinJSBridge.invoke('getBrandWCPayRequest', …)``.
        Its ``get_brand_wcpay_request:ok`` is no proof of payment: query or the notification is."""
        timestamp, nonce = str(_now()), _nonce()
        package = f"prepay_id={prepay_id}"
        message = f"{self.merchant.appid}\n{timestamp}\n{nonce}\n{package}\n"
        return {
            "appId": self.merchant.appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": rsa_sign(self._private_key, message),
        }

    def query(self, out_trade_no: str) -> dict:
        """The order as WeChat Pay holds it (``trade_state``: NOTPAY, SUCCESS, CLOSED…)."""
        query = urlencode({"mchid": self.merchant.mchid})
        path = ORDER_PATH.format(_checked(out_trade_no)) + "?" + query
        return self._call("GET", path)[1]

    def close(self, out_trade_no: str) -> None:
        """Close an unpaid order (WeChat answers 204); a paid one is refused (ORDERPAID)."""
        path = ORDER_PATH.format(_checked(out_trade_no)) + "/close"
        self._call("POST", path, {"mchid": self.merchant.mchid})

    def refund(
        self,
        *,
        out_trade_no: str,
        out_refund_no: str,
        refund: int,
        total: int,
        reason: str = "",
        notify_url: str | None = None,
    ) -> dict:
        """Ask for a refund of ``refund`` fen of the order of ``total`` fen; return WeChat's
        answer (``refund_id``, ``status`` PROCESSING / SUCCESS / CLOSED / ABNORMAL, ``amount``…).
        Accepted is not refunded: the REFUND.* notification or ``query_refund`` says when.
        A retry must repeat the same ``out_refund_no`` and fields: WeChat refunds it once.
        Refund notifications go to ``notify_url``, by default the merchant's notify_url."""
        _fen("refund", refund)
        _fen("total", total)
        if refund > total:
            raise ValueError(f"refund {refund} is more than the order's total {total}")
        data = {
            "out_trade_no": _checked(out_trade_no),
            "out_refund_no": _checked_refund_no(out_refund_no),
            "notify_url": notify_url or self.merchant.notify_url,
            "amount": {"refund": refund, "total": total, "currency": "CNY"},
        }
        if reason:
            data["reason"] = reason
        return self._call("POST", REFUNDS_PATH, data)[1]

    def query_refund(self, out_refund_no: str) -> dict:
        """The refund as WeChat Pay holds it (the same fields as ``refund`` answers)."""
        return self._call("GET", f"{REFUNDS_PATH}/{_checked_refund_no(out_refund_no)}")[1]

    def trade_bill(self, bill_date: date | str, bill_type: str = "ALL") -> str:
        """The day's trade bill (交易账单) as WeChat Pay's CSV text (``tradebill.parse`` reads
        it): applied for, downloaded gzipped, unzipped and checked against its SHA-1. A day
        without trades raises NoStatement; a corrupt download BillCorrupted."""
        if bill_type not in BILL_TYPES:
            raise ValueError(f"bill_type must be one of {BILL_TYPES}, not {bill_type!r}")
        day = bill_date if isinstance(bill_date, str) else bill_date.isoformat()
        if not BILL_DATE.match(day):
            raise ValueError(f"bill_date must be YYYY-MM-DD, not {day!r}")
        date.fromisoformat(day)  # ValueError for a day that does not exist
        query = urlencode({"bill_date": day, "bill_type": bill_type, "tar_type": "GZIP"})
        answer = self._call("GET", f"{TRADEBILL_PATH}?{query}")[1]
        url = answer["download_url"]
        # Signed over its own path and query; the file itself comes unsigned (WeChat's rule),
        # which is why the hash from the signed answer above is checked.
        parts = urlsplit(url)
        path = parts.path[parts.path.index("/v3/") :] + (f"?{parts.query}" if parts.query else "")
        response = self._send("GET", path, url=url)
        if response.status_code != 200:
            raise WxPayRefused(response.status_code, "DOWNLOAD_FAILED", response.text[:200])
        try:
            raw = gzip.decompress(response.content)
        except (OSError, EOFError, zlib.error) as exc:
            raise BillCorrupted(f"the bill does not gunzip: {exc}") from exc
        if answer.get("hash_type", "SHA1").upper() != "SHA1":
            raise BillCorrupted(f"unknown hash_type {answer.get('hash_type')!r}")
        if hashlib.sha1(raw).hexdigest() != str(answer.get("hash_value", "")).lower():
            raise BillCorrupted("the bill's SHA-1 is not the hash_value WeChat Pay announced")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BillCorrupted("the bill is not UTF-8") from exc

    # --- verifying WeChat Pay ---------------------------------------------------------------

    def verify_signature(self, headers, body: str) -> None:
        """Check Wechatpay-Timestamp/-Nonce/-Signature/-Serial over ``ts\\nnonce\\nbody\\n``;
        raise the NotTrusted subclass that says what is wrong."""
        signature = _header(headers, "Wechatpay-Signature")
        if signature.startswith(PROBE_PREFIX):
            raise SignatureProbe(signature[:40])
        timestamp = _header(headers, "Wechatpay-Timestamp")
        nonce = _header(headers, "Wechatpay-Nonce")
        serial = _header(headers, "Wechatpay-Serial")
        if not (signature and timestamp and nonce and serial):
            raise BadSignature("Wechatpay-Signature, -Timestamp, -Nonce or -Serial missing")
        try:
            skew = abs(_now() - int(timestamp))
        except ValueError as exc:
            raise StaleTimestamp(f"timestamp {timestamp[:20]!r}") from exc
        if skew > settings.WECHATPAY_MAX_SKEW:
            raise StaleTimestamp(f"timestamp {timestamp} is {skew} s off")
        key = self._keys.get(serial.upper())
        if key is None:
            raise UnknownSerial(serial[:64])
        if not rsa_verify(timestamp, nonce, body, signature, key):
            raise BadSignature(f"signature does not verify with {serial[:64]}")

    def verify_notification(self, headers, body: bytes | str) -> Notification:
        """A notification (payment or refund), once its signature, timestamp and serial
        checked out and its ``resource`` decrypted; else a NotTrusted subclass."""
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadSignature("body is not UTF-8") from exc
        self.verify_signature(headers, body)
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
            if resource["algorithm"] != "AEAD_AES_256_GCM":
                raise ValueError(resource["algorithm"])
            plaintext = aes_decrypt(
                nonce=resource["nonce"],
                ciphertext=resource["ciphertext"],
                associated_data=resource.get("associated_data") or "",
                apiv3_key=self.merchant.apiv3_key,
            )
            if plaintext is None:  # wechatpayv3's answer to a failed GCM tag
                raise ValueError("GCM tag does not verify")
            decrypted = json.loads(plaintext)
            if not isinstance(decrypted, dict):
                raise ValueError("resource is not an object")
            fields = [envelope.get(name, "") for name in ("id", "event_type", "create_time")]
            if not all(isinstance(value, str) and value for value in fields):
                raise ValueError("id, event_type or create_time missing")
        except Exception as exc:  # malformed JSON, base64, nonce length, key: all undecryptable
            raise UndecryptableResource(f"{exc.__class__.__name__}: {exc}"[:200]) from exc
        return Notification(*fields, str(envelope.get("summary", "")), decrypted)
