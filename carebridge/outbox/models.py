from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The longest pause between two tries of a message that keeps failing for a passing reason.
MAX_BACKOFF_SECONDS = 600


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
    # Not sent because its moment passed first (``expires_at``): never sent late.
    EXPIRED = "expired", _("已过期")


class OutboxQuerySet(models.QuerySet):
    def alerts(self):
        """Messages that failed after retrying for their whole period and that no member of
        staff has dealt with yet (the back office's banner counts them)."""
        return self.filter(status=OutboxStatus.FAILED, alert=True)


class OutboxMessage(models.Model):
    """A side effect (WeChat message, payment follow-up…) written in the same transaction as the
    change that caused it, and carried out by the worker once, with retries."""

    topic = models.CharField(_("消息类型"), max_length=64, db_index=True)
    payload = models.JSONField(_("消息内容"), default=dict)
    # Optional caller-chosen key: the same key is enqueued once (e.g. a reply to one MsgId).
    dedup_key = models.CharField(_("去重键"), max_length=200, unique=True, null=True, blank=True)
    # Messages to one recipient (a WeChat user: "wechat:<account id>:<openid>") go out in the
    # order they were written: none overtakes an older one still waiting (worker.in_order).
    recipient = models.CharField(_("接收人"), max_length=100, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    available_at = models.DateTimeField(_("可发送时间"), default=timezone.now)
    # A message whose moment passes first (a reminder for a visit that has started) is dropped.
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claimed_by = models.CharField(_("领取的进程"), max_length=100, blank=True)
    # The first passing failure: the message is retried until its topic's period has run from
    # here (registry.retry_period), then failed with a staff alert.
    failing_since = models.DateTimeField(_("开始重试时间"), null=True, blank=True)
    alert = models.BooleanField(_("待处理告警"), default=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    response = models.JSONField(_("微信应答"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("发件箱消息")
        verbose_name_plural = _("发件箱消息")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "available_at"]),
            # The worker's "anything older still waiting for these recipients?" reads only the
            # waiting rows that have a recipient, never the sent history. Rows without one
            # (follow-ups, sweeps) are left out: with them in, a row without a recipient made
            # PostgreSQL's anti join walk every older such row, and 20,000 pending ones took
            # claimable() 22 s on cold statistics; without them, 29 ms (RESULTS.md, Callback).
            models.Index(
                fields=["recipient", "id"],
                condition=Q(status="pending") & ~Q(recipient=""),
                name="outbox_waiting_recipient",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.topic} ({self.status})"

    def backoff(self) -> timedelta:
        """Pause before the next attempt: 2, 4, 8… seconds, at most 10 minutes."""
        return timedelta(seconds=min(2 ** min(max(self.attempts, 1), 30), MAX_BACKOFF_SECONDS))

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now
