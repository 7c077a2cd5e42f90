"""Orders: what a patient owes for one thing (a registration fee, outpatient bills, a deposit
top-up) and how it was paid. Money is integer fen; every amount here is set by the server."""

import secrets

from django.db import models
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .refunds import COMMITTED, Refund


class OrderKind(models.TextChoices):
    REGISTRATION = "registration", _("挂号费")
    OUTPATIENT = "outpatient", _("门诊缴费")
    DEPOSIT = "deposit", _("预交金充值")


class OrderStatus(models.TextChoices):
    """Only a verified notification or a query answer moves an order out of PENDING."""

    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    CLOSED = "closed", _("已关闭")
    REFUNDED = "refunded", _("已全额退款")


def new_out_trade_no() -> str:
    """The merchant's order number WeChat Pay keys the payment by: the date for staff reading a
    bill, then 64 random bits (no sequence another patient could walk). 6–32 characters of
    [0-9A-Za-z_-], as WeChat Pay asks."""
    return timezone.localdate().strftime("CB%Y%m%d") + secrets.token_hex(8).upper()


class OrderQuerySet(models.QuerySet):
    def for_account(self, follower):
        """The orders of the account's patients at the account's institution: all a WeChat
        user may see (another account's orders are simply not there)."""
        return self.filter(patient__owner=follower, institution_id=follower.account.institution_id)

    def awaiting_payment(self, now=None):
        """PENDING and still payable (门诊缴费's list)."""
        return self.filter(status=OrderStatus.PENDING, expires_at__gt=now or timezone.now())

    def paid(self):
        return self.filter(status=OrderStatus.PAID)

    def with_refunds(self):
        """Orders refunded in full or with any refund asked for."""
        return self.filter(
            Q(status=OrderStatus.REFUNDED) | Q(Exists(Refund.objects.filter(order=OuterRef("pk"))))
        )


class Order(models.Model):
    """One payment to make. Its amount splits into what WeChat Pay, the patient's deposit and
    (later) medical insurance paid; ``total`` is their sum once paid."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("机构"),
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("就诊人"),
    )
    # The WeChat user who pays (their openid is the JSAPI payer); null at the cashier's window.
    follower = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("支付微信用户"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=OrderKind.choices)
    description = models.CharField(_("商品描述"), max_length=127)
    # Unique by the constraint below, not unique=True: on PostgreSQL that adds a second,
    # pattern-matching index no query uses, written again by every payment's claim.
    out_trade_no = models.CharField(
        _("商户订单号"), max_length=32, default=new_out_trade_no, editable=False
    )
    total = models.PositiveIntegerField(_("金额"), help_text=_("以分为单位存储"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING,
    )
    # The last moment to pay (sent to WeChat Pay as time_expire); after it the order is closed.
    expires_at = models.DateTimeField(_("支付截止时间"))
    # The registration fee of one appointment (kind REGISTRATION).
    appointment = models.ForeignKey(
        "booking.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("预约"),
    )
    # How it was paid (fen). WeChat Pay's part is what its notification or query confirmed.
    paid_wxpay = models.PositiveIntegerField(_("微信支付"), default=0)
    paid_deposit = models.PositiveIntegerField(_("预交金支付"), default=0)
    paid_insurance = models.PositiveIntegerField(_("医保支付"), default=0)
    prepay_id = models.CharField(_("预支付交易会话标识"), max_length=64, blank=True)
    # WeChat Pay keeps a prepay_id two hours: until then the pay page reuses it.
    prepay_expires_at = models.DateTimeField(_("预支付标识失效时间"), null=True, blank=True)
    transaction_id = models.CharField(_("微信支付订单号"), max_length=32, blank=True)
    payer_openid = models.CharField(_("付款 OpenID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # The order whose notification has not come is queried on a backoff (tasks.py).
    next_query_at = models.DateTimeField(_("下次查单时间"), null=True, blank=True)
    query_attempts = models.PositiveSmallIntegerField(_("查单次数"), default=0)
    # Paid, its kind's on_paid still to run in the worker (kinds.py: set by the payment's claim,
    # cleared by the worker's follow-up in the transaction that runs it).
    follow_up_due = models.BooleanField(_("待后续处理"), default=False)
    # A follow-up that failed waits out a backoff before it is tried again (backoff.py).
    follow_up_failures = models.PositiveSmallIntegerField(
        _("后续处理失败次数"), default=0, editable=False
    )
    follow_up_after = models.DateTimeField(_("后续处理重试时间"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["out_trade_no"], name="order_one_per_trade_no"),
            # A paid order's parts add up to its amount; an unpaid one has no parts.
            models.CheckConstraint(
                condition=Q(status=OrderStatus.PENDING, paid_wxpay=0, paid_deposit=0)
                | Q(status=OrderStatus.CLOSED, paid_wxpay=0, paid_deposit=0)
                | Q(
                    status__in=[OrderStatus.PAID, OrderStatus.REFUNDED],
                    total=models.F("paid_wxpay")
                    + models.F("paid_deposit")
                    + models.F("paid_insurance"),
                ),
                name="order_paid_parts_add_up",
            ),
            # One fee order awaiting payment per appointment at a time.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(status=OrderStatus.PENDING),
                name="order_one_pending_per_appointment",
            ),
        ]
        # Each index is written again when a payment moves its order's row (the claim cannot be
        # a HOT update: status and follow_up_due are indexed), so none is kept that no query
        # needs: status alone picks nothing out but pending orders, which the checks' sweep
        # finds by the partial index below, and a paid order leaves it (bench/RESULTS.md,
        # "Payments").
        indexes = [
            models.Index(fields=["patient", "status", "-created_at"]),
            # The checks' sweep (checks.py): pending orders due for a query, soonest first.
            models.Index(
                fields=["next_query_at"],
                condition=Q(status=OrderStatus.PENDING),
                name="order_query_due",
            ),
            # The worker's follow-ups: a handful of rows at a time, whatever the table's size.
            models.Index(
                fields=["paid_at"], condition=Q(follow_up_due=True), name="order_follow_up_due"
            ),
        ]

    def __str__(self):
        return f"{self.out_trade_no} {self.get_kind_display()} {self.total}"

    def refundable(self) -> int:
        """What of WeChat Pay's part may still be refunded (fen): paid_wxpay less every refund
        that is, or may yet be, on its way back (``refunds.COMMITTED``). 0 unless PAID."""
        if self.status != OrderStatus.PAID:
            return 0
        committed = self.refunds.filter(status__in=COMMITTED).aggregate(n=Sum("amount"))["n"]
        return max(self.paid_wxpay - (committed or 0), 0)

    @property
    def is_payable(self) -> bool:
        return self.status == OrderStatus.PENDING and timezone.now() < self.expires_at

    @property
    def is_expired(self) -> bool:
        """Still PENDING but past its deadline: it can no longer be paid (and will be closed)."""
        return self.status == OrderStatus.PENDING and timezone.now() >= self.expires_at
