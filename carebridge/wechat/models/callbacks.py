from django.db import models
from django.utils.translation import gettext_lazy as _


class CallbackReceipt(models.Model):
    """One inbound message or event, keyed for dedup: MsgId, or FromUserName+CreateTime(+Event).

    WeChat retries a callback up to three times; the row's unique key makes the retries find the
    first attempt's reply instead of handling the message again.

    What a message says about its sender (the follower's last interaction, the
    customer-service window) is applied from its ``pending`` receipt (``followers_pending``): for
    a plain message or menu tap, answered after this one insert, by the worker moments later or
    at once by whoever needs the window first; for any other message, in the callback's own
    transaction, before what its event changes.
    """

    account = models.ForeignKey(
        "institutions.WeChatAccount", on_delete=models.CASCADE, verbose_name=_("公众号")
    )
    dedup_key = models.CharField(_("去重键"), max_length=200)
    msg_type = models.CharField(_("消息类型"), max_length=32)
    event = models.CharField(_("事件"), max_length=64, blank=True)
    openid = models.CharField(_("OpenID"), max_length=64, db_index=True)
    payload = models.JSONField(_("消息内容"), default=dict)
    reply = models.TextField(_("回复"), null=True, blank=True)  # None while the first try runs
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)  # WeChat's CreateTime
    pending = models.BooleanField(_("待更新粉丝"), default=False)

    class Meta:
        verbose_name = _("回调记录")
        verbose_name_plural = _("回调记录")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "dedup_key"], name="receipt_dedup")
        ]
        # Only the few receipts not yet applied are indexed: the worker's scan and the
        # per-sender catch-up read this small index, never the whole table.
        indexes = [
            models.Index(
                fields=["account", "openid"],
                condition=models.Q(pending=True),
                name="receipt_pending",
            )
        ]

    def __str__(self):
        return f"{self.msg_type} {self.event} {self.openid}".replace("  ", " ")

    @classmethod
    def of(cls, account, message, *, reply: str | None = None, pending: bool = False):
        """The receipt of ``message`` (``messages.Message``), unsaved: what both of the
        callback's paths record."""
        return cls(
            account=account,
            dedup_key=message.dedup_key,
            msg_type=message.msg_type[:32],
            event=message.event[:64],
            openid=message.openid,
            payload=message.raw,
            reply=reply,
            sent_at=message.sent_at,
            pending=pending,
        )
