from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


class OutboxMessage(models.Model):
    """A side effect (WeChat message, payment follow-up…) written in the same transaction as the
    change that caused it, and carried out by the worker once, with retries."""

    topic = models.CharField(_("消息类型"), max_length=64, db_index=True)
    payload = models.JSONField(_("消息内容"), default=dict)
    # Optional caller-chosen key: the same key is enqueued once (e.g. a reply to one MsgId).
    dedup_key = models.CharField(_("去重键"), max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    available_at = models.DateTimeField(_("可发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claimed_by = models.CharField(_("领取的进程"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    response = models.JSONField(_("微信应答"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("发件箱消息")
        verbose_name_plural = _("发件箱消息")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "available_at"])]

    def __str__(self):
        return f"#{self.pk} {self.topic} ({self.status})"

    def backoff(self) -> timedelta:
        """Pause before the next attempt: 2, 4, 8… seconds, at most 10 minutes."""
        return timedelta(seconds=min(2 ** max(self.attempts, 1), 600))
