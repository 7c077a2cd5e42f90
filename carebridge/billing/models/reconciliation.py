"""The daily reconciliation of WeChat Pay's trade bill with our ledger: one run per merchant and
day, and every line that does not match, for staff to resolve. A mismatch never moves money by
itself; staff resolve it with a recorded action (and, where money must move, the ordinary
actions: a refund, a query that records a missed payment)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    MATCHED = "matched", _("全部相符")
    MISMATCHED = "mismatched", _("存在差异")
    NO_STATEMENT = "no_statement", _("当日无账单")
    FAILED = "failed", _("下载失败")


class ReconciliationRun(models.Model):
    merchant = models.ForeignKey(
        "billing.Merchant", on_delete=models.PROTECT, related_name="+", verbose_name=_("商户")
    )
    bill_date = models.DateField(_("账单日期"))
    status = models.CharField(_("结果"), max_length=16, choices=RunStatus.choices)
    bill_rows = models.PositiveIntegerField(_("账单明细行数"), default=0)
    bill_paid_total = models.BigIntegerField(_("账单应结订单总金额(分)"), default=0)
    bill_refund_total = models.BigIntegerField(_("账单退款总金额(分)"), default=0)
    error = models.TextField(_("错误"), blank=True)
    ran_at = models.DateTimeField(_("对账时间"), auto_now=True)

    class Meta:
        verbose_name = _("对账")
        verbose_name_plural = _("对账")
        ordering = ["-bill_date"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "bill_date"], name="reconciliation_once")
        ]

    def __str__(self):
        return f"{self.merchant.mchid} {self.bill_date} {self.get_status_display()}"


class MismatchKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("微信已支付,本地未记录")
    MISSING_THERE = "missing_there", _("本地已支付,微信账单无此笔")
    AMOUNT_DIFFERS = "amount_differs", _("金额不一致")
    REFUND_MISSING_HERE = "refund_missing_here", _("微信有退款,本地未记录")
    REFUND_MISSING_THERE = "refund_missing_there", _("本地有退款,微信账单无此笔")
    REFUND_AMOUNT_DIFFERS = "refund_amount_differs", _("退款金额不一致")
    REFUND_STATE_DIFFERS = "refund_state_differs", _("退款状态不一致")


class Resolution(models.TextChoices):
    QUERIED = "queried", _("已查单并按查单结果入账")
    REFUNDED = "refunded", _("已为患者退款")
    ACCEPTED = "accepted", _("核实无误,无需处理")
    OTHER = "other", _("其他(见备注)")


class Mismatch(models.Model):
    run = models.ForeignKey(
        ReconciliationRun,
        on_delete=models.CASCADE,
        related_name="mismatches",
        verbose_name=_("对账"),
    )
    kind = models.CharField(_("差异类型"), max_length=24, choices=MismatchKind.choices)
    out_trade_no = models.CharField(_("商户订单号"), max_length=32, db_index=True)
    out_refund_no = models.CharField(_("商户退款单号"), max_length=64, blank=True)
    transaction_id = models.CharField(_("微信支付订单号"), max_length=32, blank=True)
    ours = models.BigIntegerField(_("本地金额(分)"), null=True, blank=True)
    theirs = models.BigIntegerField(_("微信金额(分)"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    resolution = models.CharField(
        _("处理方式"), max_length=12, choices=Resolution.choices, blank=True
    )
    note = models.CharField(_("处理备注"), max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("对账差异")
        verbose_name_plural = _("对账差异")
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "out_trade_no", "out_refund_no"], name="mismatch_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.out_trade_no}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
