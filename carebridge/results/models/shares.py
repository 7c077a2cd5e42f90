"""A report shared with a doctor elsewhere: a link that opens that one report, until it expires
or the patient revokes it. The link's token is never stored: only its SHA-256, so a copy of the
database opens no report. Each opening of the link is logged and shown to the patient."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_HOURS = 72
MAX_HOURS = 30 * 24


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """256 random bits, URL-safe: nothing to guess, nothing to sign."""
    return secrets.token_urlsafe(32)


class ShareState(models.TextChoices):
    ACTIVE = "active", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")


class ReportShareQuerySet(models.QuerySet):
    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token))

    def newest_first(self):
        return self.order_by("-created_at", "-id")

    def next_expiry(self, now) -> datetime | None:
        """The earliest moment after ``now`` at which one of these links stops opening with no
        further write (its expiry), or None."""
        still_open = self.filter(revoked_at=None, expires_at__gt=now)
        return still_open.aggregate(first=Min("expires_at"))["first"]


class ReportShare(models.Model):
    report = models.ForeignKey(
        "Report", on_delete=models.CASCADE, related_name="shares", verbose_name=_("报告")
    )
    created_by = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("分享人"),
    )
    token_hash = models.CharField(_("链接摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("分享时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ReportShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告分享链接")
        verbose_name_plural = _("报告分享链接")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.report} → {timezone.localtime(self.expires_at):%Y-%m-%d %H:%M}"

    def state(self, now) -> str:
        if self.revoked_at is not None:
            return ShareState.REVOKED
        if self.expires_at <= now:
            return ShareState.EXPIRED
        return ShareState.ACTIVE

    def state_label(self, now) -> str:
        return ShareState(self.state(now)).label

    @staticmethod
    def lifetime(hours: int) -> timedelta:
        if not 1 <= hours <= MAX_HOURS:
            raise ValueError(f"a share lasts 1 to {MAX_HOURS} hours, not {hours}")
        return timedelta(hours=hours)


class ShareAccess(models.Model):
    """One opening of a shared link: when, from where, with what."""

    share = models.ForeignKey(
        ReportShare, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("分享链接")
    )
    accessed_at = models.DateTimeField(_("访问时间"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("分享链接访问记录")
        verbose_name_plural = _("分享链接访问记录")
        ordering = ["-accessed_at", "-id"]

    def __str__(self):
        return f"{self.ip or '?'} {timezone.localtime(self.accessed_at):%Y-%m-%d %H:%M}"
