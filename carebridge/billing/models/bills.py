"""Outpatient bills (门诊缴费单) pushed by the HIS: what a patient owes for one visit's drugs,
exams, treatments and materials. The HIS is the source of every amount; CareBridge checks that
the items add up and never lets a page change them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BillState(models.TextChoices):
    UNPAID = "unpaid", _("待缴费")
    # Held by an order awaiting payment: no other order may take it until that one closes.
    PAYING = "paying", _("支付中")
    PAID = "paid", _("已缴费")
    CANCELLED = "cancelled", _("已作废")


class ItemCategory(models.TextChoices):
    DRUG = "drug", _("药品")
    EXAM = "exam", _("检查检验")
    TREATMENT = "treatment", _("治疗")
    MATERIAL = "material", _("材料")


class BillQuerySet(models.QuerySet):
    def for_account(self, follower):
        """Bills of the WeChat user's own active patients: the only ones their pages show."""
        return self.filter(
            patient__owner=follower,
            patient__archived_at=None,
            institution=follower.account.institution,
        )

    def unpaid(self):
        return self.filter(state=BillState.UNPAID)

    def of_order(self, order):
        return self.filter(order_links__order=order)


class Bill(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="bills",
        verbose_name=_("机构"),
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="bills", verbose_name=_("就诊人")
    )
    his_id = models.CharField(_("HIS 账单号"), max_length=64)
    issued_at = models.DateTimeField(_("开单时间"))
    department = models.CharField(_("开单科室"), max_length=100)
    doctor = models.CharField(_("开单医生"), max_length=50, blank=True)
    total = models.PositiveIntegerField(_("金额"), help_text=_("以分为单位存储"))
    state = models.CharField(
        _("状态"), max_length=10, choices=BillState.choices, default=BillState.UNPAID, db_index=True
    )
    # The order holding the bill (PAYING) or that paid it (PAID).
    order = models.ForeignKey(
        "billing.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_bills",
        verbose_name=_("订单"),
    )
    # What paid this bill, its share of the order's split (fen); set when paid.
    paid_wxpay = models.PositiveIntegerField(_("微信支付"), default=0)
    paid_deposit = models.PositiveIntegerField(_("预交金支付"), default=0)
    paid_insurance = models.PositiveIntegerField(_("医保支付"), default=0)
    paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    # SHA-256 of the pushed content: the same push again is recognised and changes nothing.
    content_hash = models.CharField(_("内容摘要"), max_length=64, editable=False)
    invoice_number = models.CharField(_("电子票据号"), max_length=64, blank=True)
    invoice_url = models.URLField(_("电子票据链接"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = BillQuerySet.as_manager()

    class Meta:
        verbose_name = _("门诊账单")
        verbose_name_plural = _("门诊账单")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "his_id"], name="bill_his_id_unique"),
            models.CheckConstraint(condition=Q(total__gt=0), name="bill_total_positive"),
            # Held or paid means by an order; unpaid or cancelled, by none.
            models.CheckConstraint(
                condition=Q(state__in=["paying", "paid"], order__isnull=False)
                | Q(state__in=["unpaid", "cancelled"], order__isnull=True),
                name="bill_order_matches_state",
            ),
            # A paid bill's parts add up to its total; an unpaid one has none.
            models.CheckConstraint(
                condition=Q(
                    state="paid",
                    total=models.F("paid_wxpay")
                    + models.F("paid_deposit")
                    + models.F("paid_insurance"),
                )
                | Q(~Q(state="paid"), paid_wxpay=0, paid_deposit=0, paid_insurance=0),
                name="bill_paid_parts_add_up",
            ),
        ]
        indexes = [models.Index(fields=["patient", "state", "-issued_at"])]

    def __str__(self):
        return f"{self.his_id} {self.department} {self.total}"

    @property
    def payment_method(self) -> str:
        """wxpay, deposit, insurance, or "mixed" when more than one paid it ("" unpaid)."""
        parts = [
            name
            for name, fen in (
                ("wxpay", self.paid_wxpay),
                ("deposit", self.paid_deposit),
                ("insurance", self.paid_insurance),
            )
            if fen
        ]
        return parts[0] if len(parts) == 1 else ("mixed" if parts else "")


class BillItem(models.Model):
    """One line of a bill. ``amount`` = ``quantity`` × ``unit_price`` rounded to the fen, as the
    HIS charged it; checked when pushed (schemas.py)."""

    bill = models.ForeignKey(
        Bill, on_delete=models.CASCADE, related_name="items", verbose_name=_("账单")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=10, choices=ItemCategory.choices)
    code = models.CharField(_("项目编码"), max_length=64, blank=True)
    name = models.CharField(_("项目名称"), max_length=100)
    spec = models.CharField(_("规格"), max_length=100, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    unit_price = models.PositiveIntegerField(_("单价"), help_text=_("以分为单位存储"))
    amount = models.PositiveIntegerField(_("金额"), help_text=_("以分为单位存储"))

    class Meta:
        verbose_name = _("账单明细")
        verbose_name_plural = _("账单明细")
        ordering = ["bill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "position"], name="bill_item_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bill_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.name} × {self.quantity}"


class OrderBill(models.Model):
    """Which bills an order was opened for, kept after the order closes or is paid: a payment
    that arrives after the close (it raced it) still knows what it paid for."""

    order = models.ForeignKey(
        "billing.Order", on_delete=models.PROTECT, related_name="bill_links", verbose_name=_("订单")
    )
    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, related_name="order_links", verbose_name=_("账单")
    )
    amount = models.PositiveIntegerField(_("金额"), help_text=_("以分为单位存储"))

    class Meta:
        verbose_name = _("订单账单")
        verbose_name_plural = _("订单账单")
        constraints = [
            models.UniqueConstraint(fields=["order", "bill"], name="order_bill_unique"),
        ]
