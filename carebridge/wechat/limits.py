"""WeChat's numeric limits, enforced before the call so staff get a clear message, not an errcode.

Counted quotas (menu creates a day, mass sends a month…) are ApiQuota rows consumed with a
conditional update, ``filter(used__lt=limit).update(used=F("used") + 1)``: two processes never
overrun a quota, on SQLite or PostgreSQL.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ApiQuota


class LimitExceeded(ValidationError):
    """A WeChat limit would be broken; the message says which, in words staff understand."""


@dataclass(frozen=True)
class Quota:
    limit: int
    period: str  # minute | day | month | ever
    message: str

    def period_key(self, now: datetime | None = None) -> str:
        local = timezone.localtime(now or timezone.now())  # WeChat's day is China's day
        return {
            "minute": local.strftime("%Y-%m-%dT%H:%M"),
            "day": local.strftime("%Y-%m-%d"),
            "month": local.strftime("%Y-%m"),
            "ever": "ever",
        }[self.period]


QUOTAS = {
    "token_classic": Quota(
        2000, "day", _("今天获取微信接口凭证的次数已用完（每天 2000 次），请明天再试")
    ),
    "token_force": Quota(
        20, "day", _("今天强制刷新微信接口凭证的次数已用完（每天 20 次），请明天再试")
    ),
    "menu_create": Quota(1000, "day", _("今天的菜单发布次数已用完（每天 1000 次），请明天再发布")),
    "qr_create": Quota(100_000, "day", _("今天的二维码生成次数已用完（每天 10 万次）")),
    "qr_permanent": Quota(100_000, "ever", _("永久二维码已达上限（10 万个），请改用临时二维码")),
    "template_send": Quota(100_000, "day", _("今天的模板消息发送次数已用完（每天 10 万条）")),
    "mass_month": Quota(4, "month", _("本月群发次数已用完（服务号每月 4 次）")),
    "mass_day": Quota(1, "day", _("今天的群发次数已用完（订阅号每天 1 次）")),
    "mass_api": Quota(100, "day", _("今天的群发接口调用次数已用完（每天 100 次）")),
    "mass_minute": Quota(60, "minute", _("群发接口调用太频繁（每分钟 60 次），请稍后再试")),
    "mass_preview": Quota(100, "day", _("今天的群发预览次数已用完（每天 100 次）")),
}


def consume(account, name: str, now: datetime | None = None, amount: int = 1) -> str:
    """Take ``amount`` units of quota ``name`` for ``account``; return the period they were taken
    from.

    Raises LimitExceeded when the quota has fewer left (nothing is taken then).
    """
    quota = QUOTAS[name]
    period = quota.period_key(now)
    this_period = ApiQuota.objects.filter(account=account, name=name, period=period)
    # The period's row exists but for the first call of the period: one conditional UPDATE.
    taken = this_period.filter(used__lte=quota.limit - amount).update(used=F("used") + amount)
    if not taken:
        with transaction.atomic():
            ApiQuota.objects.get_or_create(account=account, name=name, period=period)
            taken = this_period.filter(used__lte=quota.limit - amount).update(
                used=F("used") + amount
            )
    if not taken:
        raise exceeded(name)
    return period


def consume_up_to(account, name: str, amount: int, now: datetime | None = None) -> int:
    """Take as many of ``amount`` units of quota ``name`` as it has left: all of them in one
    conditional UPDATE while it has them. Returns how many were taken (0: none left)."""
    now = now or timezone.now()
    while amount > 0:
        try:
            consume(account, name, now, amount)
            return amount
        except LimitExceeded:
            # Fewer left than asked: ask for what remains (less every time, so this ends).
            amount = min(amount - 1, remaining(account, name, now))
    return 0


def exceeded(name: str) -> LimitExceeded:
    """The refusal of a call past quota ``name``."""
    return LimitExceeded(QUOTAS[name].message, code=name)


def refund(account, name: str, period: str) -> None:
    """Give back one unit taken by ``consume`` when WeChat did not carry the call out."""
    ApiQuota.objects.filter(account=account, name=name, period=period, used__gt=0).update(
        used=F("used") - 1
    )


def remaining(account, name: str, now: datetime | None = None) -> int:
    quota = QUOTAS[name]
    used = (
        ApiQuota.objects.filter(account=account, name=name, period=quota.period_key(now))
        .values_list("used", flat=True)
        .first()
    )
    return max(quota.limit - (used or 0), 0)


def mass_quota_name(account) -> str:
    """Service accounts: 4 mass sends a month; subscription accounts: 1 a day."""
    return "mass_month" if account.is_service else "mass_day"


def require_verified_service(account) -> None:
    """Template messages are for verified service accounts only."""
    if not (account.is_service and account.verified):
        raise LimitExceeded(_("只有已认证的服务号可以发送模板消息"), code="not_verified_service")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))
