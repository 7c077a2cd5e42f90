"""Phone verification: a 6-digit code by text message. Only a keyed hash of the code is stored;
it expires, allows a few attempts, is used once, and sending is rate-limited per phone and per
WeChat user through the cache."""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .models import HASH_PHONE, PhoneVerification
from .sms import SmsError, get_backend
from .validation import field_error


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def code_ttl() -> int:
    return _setting("PATIENT_CODE_TTL", 300)


def max_attempts() -> int:
    return _setting("PATIENT_CODE_MAX_ATTEMPTS", 5)


def _hash_code(phone_hash: str, code: str) -> str:
    return crypto.blind_index(f"sms:{phone_hash}", code)


def _take(key: str, limit: int, window: int) -> bool:
    """Count one use of a fixed window; False once ``limit`` uses are taken."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window ended between add and incr: a new one starts
        cache.add(key, 1, window)
        return True


def _check_rate(follower, phone_hash: str) -> None:
    cooldown = _setting("PATIENT_SMS_COOLDOWN", 60)
    if not cache.add(f"patients:sms:cooldown:{phone_hash}", 1, cooldown):
        raise field_error(
            "phone", _("验证码发送太频繁，请%(seconds)s秒后再试") % {"seconds": cooldown}, "rate"
        )
    per_phone = _setting("PATIENT_SMS_PER_PHONE_PER_DAY", 10)
    per_user = _setting("PATIENT_SMS_PER_OPENID_PER_HOUR", 10)
    if not _take(f"patients:sms:day:{phone_hash}", per_phone, 86400) or not _take(
        f"patients:sms:hour:{follower.account_id}:{follower.openid}", per_user, 3600
    ):
        raise field_error("phone", _("今日验证码发送次数已达上限，请稍后再试"), "rate")


def send_phone_code(follower, phone: str) -> PhoneVerification:
    """Send a new code to ``phone`` (already normalised) for ``follower``.

    Raises ValidationError({"phone": …}) when rate-limited or when the gateway fails; then no
    usable code exists."""
    phone_hash = crypto.blind_index(HASH_PHONE, phone)
    _check_rate(follower, phone_hash)
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    verification = PhoneVerification.objects.create(
        follower=follower,
        phone_hash=phone_hash,
        code_hash=_hash_code(phone_hash, code),
        created_at=now,
        expires_at=now + timedelta(seconds=code_ttl()),
    )
    institution = follower.account.institution
    text = _("【%(name)s】您的验证码是%(code)s，%(minutes)s分钟内有效，请勿告诉他人。") % {
        "name": institution.name,
        "code": code,
        "minutes": code_ttl() // 60,
    }
    try:
        get_backend().send(phone, text, follower=follower)
    except SmsError as exc:
        verification.delete()
        cache.delete(f"patients:sms:cooldown:{phone_hash}")  # nothing arrived: may retry at once
        raise field_error("phone", _("短信发送失败，请稍后再试"), "sms") from exc
    return verification


def check_phone_code(follower, phone: str, code: str) -> PhoneVerification:
    """The verification ``code`` proves for ``phone``, or ValidationError({"code": …}).

    A wrong attempt is counted in its own write, so call this outside a transaction that
    the error would roll back."""
    phone_hash = crypto.blind_index(HASH_PHONE, phone)
    code = (code or "").strip()
    if not code:
        raise field_error("code", _("请填写短信验证码"), "required")
    verification = (
        PhoneVerification.objects.filter(follower=follower, phone_hash=phone_hash, used_at=None)
        .order_by("-created_at", "-id")
        .first()
    )
    if verification is None:
        raise field_error("code", _("请先获取短信验证码"), "missing")
    if verification.expires_at <= timezone.now():
        raise field_error("code", _("验证码已过期，请重新获取"), "expired")
    # Claim an attempt with a conditional update: parallel guesses cannot exceed the limit.
    claimed = PhoneVerification.objects.filter(
        pk=verification.pk, attempts__lt=max_attempts()
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        raise field_error("code", _("验证码错误次数过多，请重新获取"), "attempts")
    if not hmac.compare_digest(verification.code_hash, _hash_code(phone_hash, code)):
        raise field_error("code", _("验证码不正确"), "wrong")
    return verification


@transaction.atomic
def use_phone_code(verification: PhoneVerification) -> None:
    """Spend a checked code; a second use (a double submit) is refused."""
    used = PhoneVerification.objects.filter(pk=verification.pk, used_at=None).update(
        used_at=timezone.now()
    )
    if not used:
        raise field_error("code", _("验证码已使用，请重新获取"), "used")
