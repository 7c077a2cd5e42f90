"""Every verified WeChat Pay notification, by its id: the record that makes applying it
idempotent (a replay finds its id taken) and lets staff see what WeChat Pay told us."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PayNotification(models.Model):
    merchant = models.ForeignKey(
        "billing.Merchant", on_delete=models.PROTECT, related_name="+", verbose_name=_("商户")
    )
    notification_id = models.CharField(_("通知 ID"), max_length=64)
    event_type = models.CharField(_("通知类型"), max_length=32)
    out_trade_no = models.CharField(_("商户订单号"), max_length=32)
    out_refund_no = models.CharField(_("商户退款单号"), max_length=64, blank=True)
    # What applying it did: "paid", "duplicate", "refund SUCCESS", or why it was not applied.
    outcome = models.CharField(_("处理结果"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        ordering = ["-received_at"]
        # As constraint and index, not unique=/db_index=: on PostgreSQL those add a second,
        # pattern-matching index each, which no query uses (staff search by the exact value)
        # and every notification's INSERT writes (bench/RESULTS.md, "Payments").
        constraints = [
            models.UniqueConstraint(fields=["notification_id"], name="paynotification_one_per_id")
        ]
        indexes = [models.Index(fields=["out_trade_no"], name="paynotification_trade_no")]

    def __str__(self):
        return f"{self.event_type} {self.out_trade_no}"
