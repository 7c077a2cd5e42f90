"""The sandbox's stand-in for WeChat Pay API v3 (api.mch.weixin.qq.com), mounted at /sandbox/pay/.

It speaks WeChat Pay's wire protocol: requests must carry ``Authorization:
WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…`` over
``METHOD\\nPATH?QUERY\\nts\\nnonce\\nbody\\n`` (SHA256withRSA, the merchant's registered key),
or get 401 ``{"code": "SIGN_ERROR", …}``; every answer to a known merchant is signed with its
platform key (``Wechatpay-Timestamp/-Nonce/-Signature/-Serial`` over ``ts\\nnonce\\nbody\\n``).
PATH is the API path (``/v3/…``), without the sandbox's mount point.

It is written on ``cryptography`` alone, not on wechatpayv3, so the client (which uses that
library) is checked against an independent implementation. Its clock is ``timezone.now()``
and its state is in the sandbox's tables (SandboxPayMerchant, SandboxPayOrder).

Modules: merchants (enrolment, keys), transactions (JSAPI and Native orders, a payer paying or
scanning), refunds, bills (the trade bill), resources (the JSON of orders and refunds), notify
(notifications and their delivery on WeChat's retry schedule).
"""

import base64
import json
import re
import secrets
from functools import lru_cache, wraps

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ..guard import sandbox_only
from ..models import SandboxPayMerchant

SCHEME = "WECHATPAY2-SHA256-RSA2048"
AUTH_FIELDS = ("mchid", "nonce_str", "signature", "timestamp", "serial_no")
MAX_SKEW = 300  # seconds, either way


class PayError(Exception):
    """A refusal, answered as WeChat Pay answers it: HTTP status, ``{"code", "message"}``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, code, message)
        self.status, self.code, self.message = status, code, message


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def rfc3339(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def _stray_key():
    """The forger's key: not the platform's, so nothing signed with it may be believed."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signature_headers(merchant: SandboxPayMerchant, body: str) -> dict:
    """Wechatpay-* headers for ``body``, signed with the merchant's platform key (or, for a
    merchant set to ``forge_signatures``, with a stray key under the same serial)."""
    timestamp = str(int(timezone.now().timestamp()))
    nonce = secrets.token_hex(16).upper()
    key = (
        _stray_key()
        if merchant.forge_signatures
        else serialization.load_pem_private_key(merchant.platform_private_key.encode(), None)
    )
    message = f"{timestamp}\n{nonce}\n{body}\n".encode()
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(),
        "Wechatpay-Serial": merchant.serial,
        "Wechatpay-Signature-Type": SCHEME,
    }


def respond(merchant: SandboxPayMerchant | None, status: int, data: dict | None) -> HttpResponse:
    body = dumps(data) if data is not None else ""
    response = HttpResponse(body, status=status)
    if body:
        response["Content-Type"] = "application/json; charset=utf-8"
    else:
        del response["Content-Type"]
    response["Request-ID"] = secrets.token_hex(16)
    if merchant is not None:  # a stranger's refusal has no platform key to be signed with
        for name, value in signature_headers(merchant, body).items():
            response[name] = value
    return response


def _authorization(request) -> dict:
    scheme, _, params = request.headers.get("Authorization", "").partition(" ")
    if scheme != SCHEME:
        raise PayError(401, "SIGN_ERROR", "Authorization 缺失或认证类型不是 " + SCHEME)
    fields = dict(re.findall(r'(\w+)="([^"]*)"', params))
    missing = [name for name in AUTH_FIELDS if not fields.get(name)]
    if missing:
        raise PayError(401, "SIGN_ERROR", "Authorization 缺少 " + ",".join(missing))
    return fields


def _check_signature(request, merchant: SandboxPayMerchant, fields: dict) -> None:
    if fields["serial_no"].upper() != merchant.merchant_serial.upper():
        raise PayError(401, "SIGN_ERROR", "商户证书序列号有误")
    try:
        timestamp = int(fields["timestamp"])
    except ValueError as exc:
        raise PayError(401, "SIGN_ERROR", "timestamp 格式错误") from exc
    if abs(timezone.now().timestamp() - timestamp) > MAX_SKEW:
        raise PayError(401, "SIGN_ERROR", "请求已过期(timestamp 与当前时间相差超过 5 分钟)")
    full = request.get_full_path()
    path = full[full.index("/v3/") :]  # the API path, without /sandbox/pay
    message = f"{request.method}\n{path}\n{timestamp}\n{fields['nonce_str']}\n"
    message += request.body.decode("utf-8", errors="replace") + "\n"
    key = serialization.load_pem_public_key(merchant.merchant_public_key.encode())
    try:
        key.verify(
            base64.b64decode(fields["signature"], validate=True),
            message.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as exc:
        raise PayError(401, "SIGN_ERROR", "签名错误") from exc


def _has_nul(value) -> bool:
    """A NUL character anywhere: WeChat refuses it, and PostgreSQL cannot store or compare it."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise PayError(400, "PARAM_ERROR", "请求体不是合法的 JSON") from exc
    if not isinstance(data, dict):
        raise PayError(400, "PARAM_ERROR", "请求体不是 JSON 对象")
    if _has_nul(data):
        raise PayError(400, "PARAM_ERROR", "请求体含有非法字符")
    return data


def _check_url(request) -> None:
    if _has_nul(request.path) or _has_nul(list(request.GET.values())):
        raise PayError(400, "PARAM_ERROR", "请求路径或参数含有非法字符")


def pay_api(method: str):
    """A WeChat Pay v3 view: ``view(request, merchant, body, **url_kwargs) -> (status, data)``
    (or an unsigned HttpResponse: the bill file), called once the request's signature checked
    out; a PayError it raises is answered as WeChat answers it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, **kwargs):
            merchant = None
            try:
                if request.method != method:
                    raise PayError(405, "INVALID_REQUEST", f"请使用 {method} 方法")
                _check_url(request)
                fields = _authorization(request)
                merchant = SandboxPayMerchant.objects.filter(mchid=fields["mchid"]).first()
                if merchant is None:
                    raise PayError(401, "SIGN_ERROR", "商户号不存在")
                _check_signature(request, merchant, fields)
                body = _json_body(request) if method == "POST" else {}
                answer = view(request, merchant, body, **kwargs)
                if isinstance(answer, HttpResponse):  # a file download: WeChat signs no file
                    return answer
                status, data = answer
            except PayError as exc:
                status, data = exc.status, {"code": exc.code, "message": exc.message}
            return respond(merchant, status, data)

        return sandbox_only(csrf_exempt(wrapper))

    return decorate
