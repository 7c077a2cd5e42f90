"""Refunds as a ledger: each refund of an order is a row with its own out_refund_no, kept
whatever WeChat Pay answers, so a retry sends the same number and never refunds twice."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_REFUNDS_PER_ORDER = 50  # WeChat Pay's limit


class RefundStatus(models.TextChoices):
    """WeChat Pay's refund states, plus PENDING: recorded here, not yet accepted by WeChat Pay
    (the call failed or has not been made; it is retried with the same out_refund_no)."""

    PENDING = "pending", _("待提交")
    PROCESSING = "PROCESSING", _("退款处理中")
    SUCCESS = "SUCCESS", _("退款成功")
    CLOSED = "CLOSED", _("退款关闭")
    ABNORMAL = "ABNORMAL", _("退款异常")


# States whose amount is no longer refundable: it is (or may still be) on its way back.
COMMITTED = [
    RefundStatus.PENDING,
    RefundStatus.PROCESSING,
    RefundStatus.SUCCESS,
    RefundStatus.ABNORMAL,
]


# What the patient reads for each state: a refund not yet accepted is still "to be refunded",
# and the two states staff must look into say that the hospital is on it.
PATIENT_WORDS = {
    RefundStatus.PENDING: _("待退款"),
    RefundStatus.PROCESSING: _("退款处理中"),
    RefundStatus.SUCCESS: _("已退款"),
    RefundStatus.CLOSED: _("退款关闭，请联系医院"),
    RefundStatus.ABNORMAL: _("退款异常，医院正在处理"),
}


def new_out_refund_no() -> str:
    return timezone.localdate().strftime("RF%Y%m%d") + secrets.token_hex(8).upper()


class Refund(models.Model):
    order = models.ForeignKey(
        "billing.Order", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("订单")
    )
    out_refund_no = models.CharField(
        _("商户退款单号"), max_length=64, unique=True, default=new_out_refund_no, editable=False
    )
    amount = models.PositiveIntegerField(_("退款金额"), help_text=_("以分为单位存储"))
    reason = models.CharField(_("退款原因"), max_length=80)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RefundStatus.choices,
        default=RefundStatus.PENDING,
        db_index=True,
    )
    # Staff who asked for it; null when the system did (a cancelled appointment's fee).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    refund_id = models.CharField(_("微信支付退款单号"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    # When WeChat Pay accepted it (answered PROCESSING or SUCCESS): the trade bill lists a
    # refund on that day, so the reconciliation matches by this.
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    succeeded_at = models.DateTimeField(_("退款成功时间"), null=True, blank=True)
    next_query_at = models.DateTimeField(_("下次查询时间"), null=True, blank=True, db_index=True)
    query_attempts = models.PositiveSmallIntegerField(_("查询次数"), default=0)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive")]

    def __str__(self):
        return f"{self.out_refund_no} {self.amount}"

    @property
    def patient_status_display(self) -> str:
        return PATIENT_WORDS[self.status]

    @property
    def is_done(self) -> bool:
        return self.status == RefundStatus.SUCCESS
