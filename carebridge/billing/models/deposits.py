"""The prepaid deposit (预交金): one account per patient per institution, and its ledger.

Every movement carries its signed amount, the balance after it, a reason and who made it (a
member of staff, the patient's WeChat user, the HIS's cashier through the API, or the system).
The balance is never negative (a check constraint, and every debit is a conditional update)
and never created from nothing: each credit names its source (a paid top-up order, or a
cashier's receipt number), each once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where money came in or goes back: a deposit is refunded to the channel it came from."""

    WXPAY = "wxpay", _("微信支付")
    CASH = "cash", _("现金")
    CARD = "card", _("银行卡")
    BANK = "bank", _("银行转账")


class MovementKind(models.TextChoices):
    TOPUP_ONLINE = "topup_online", _("微信支付充值")
    TOPUP_CASH = "topup_cash", _("现金充值")
    TOPUP_CARD = "topup_card", _("银行卡充值")
    TOPUP_BANK = "topup_bank", _("银行转账充值")
    SPEND = "spend", _("缴费支出")
    REFUND_ONLINE = "refund_online", _("退回微信支付")
    REFUND_CASH = "refund_cash", _("现金退款")
    REFUND_CARD = "refund_card", _("退回银行卡")
    REFUND_BANK = "refund_bank", _("银行转账退款")
    # A refund to WeChat Pay that WeChat Pay closed without paying: its amount comes back.
    REFUND_RETURNED = "refund_returned", _("退款未成功,退回余额")


TOPUP_KINDS = {
    Channel.WXPAY: MovementKind.TOPUP_ONLINE,
    Channel.CASH: MovementKind.TOPUP_CASH,
    Channel.CARD: MovementKind.TOPUP_CARD,
    Channel.BANK: MovementKind.TOPUP_BANK,
}
REFUND_KINDS = {
    Channel.WXPAY: MovementKind.REFUND_ONLINE,
    Channel.CASH: MovementKind.REFUND_CASH,
    Channel.CARD: MovementKind.REFUND_CARD,
    Channel.BANK: MovementKind.REFUND_BANK,
}
CHANNEL_OF = {
    kind: channel for kinds in (TOPUP_KINDS, REFUND_KINDS) for channel, kind in kinds.items()
}
CREDITS = list(TOPUP_KINDS.values())
DEBITS = [MovementKind.SPEND, *REFUND_KINDS.values()]
# Offline channels: money handed over at the cashier's window, recorded with a receipt number.
WINDOW_CHANNELS = [Channel.CASH, Channel.CARD, Channel.BANK]
WINDOW_TOPUPS = [TOPUP_KINDS[c] for c in WINDOW_CHANNELS]
WINDOW_REFUNDS = [REFUND_KINDS[c] for c in WINDOW_CHANNELS]
# Movements that give back (or take back) part of one credit, which they name.
SOURCED = [*REFUND_KINDS.values(), MovementKind.REFUND_RETURNED]


class DepositAccount(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="deposit_accounts",
        verbose_name=_("机构"),
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="deposit_accounts",
        verbose_name=_("就诊人"),
    )
    balance = models.PositiveIntegerField(_("余额"), default=0, help_text=_("以分为单位存储"))
    # The patient asked for the balance back: the offline parts wait for the cashier's window.
    refund_requested_at = models.DateTimeField(_("申请退款时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预交金账户")
        verbose_name_plural = _("预交金账户")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "patient"], name="deposit_one_account_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="deposit_balance_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.patient.masked_name()} {self.balance}"

    def refundable_parts(self) -> list[tuple["DepositMovement", int]]:
        """What is left of each credit, oldest first, as (credit, fen): spending draws on the
        oldest credits first (FIFO); each refund returns part of one credit it names (and a
        refund WeChat Pay closed gives it back). The parts add up to the balance."""
        credits = list(self.movements.filter(kind__in=CREDITS).order_by("id"))
        returned: dict[int, int] = {}
        for source_id, amount in self.movements.filter(source__isnull=False).values_list(
            "source_id", "amount"
        ):
            returned[source_id] = returned.get(source_id, 0) - amount
        spent = -sum(
            self.movements.filter(kind=MovementKind.SPEND).values_list("amount", flat=True)
        )
        parts = []
        for credit in credits:
            left = credit.amount - returned.get(credit.id, 0)
            used = min(left, spent)
            spent -= used
            if left - used > 0:
                parts.append((credit, left - used))
        return parts


class DepositMovement(models.Model):
    account = models.ForeignKey(
        DepositAccount, on_delete=models.PROTECT, related_name="movements", verbose_name=_("账户")
    )
    # The account's institution, kept here so a cashier's receipt number is unique per institution.
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("机构"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MovementKind.choices)
    amount = models.IntegerField(_("金额"), help_text=_("以分为单位存储;充值为正,支出和退款为负"))
    balance_after = models.PositiveIntegerField(_("余额"), help_text=_("以分为单位存储"))
    reason = models.CharField(_("事由"), max_length=200)
    # Who made it: one of these, or none (the system: a payment notification, a worker).
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    by_follower = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("微信用户"),
    )
    by_client = models.ForeignKey(
        "integrations.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接口客户端"),
    )
    # The cashier's name as the HIS sent it (by_client), or blank.
    cashier = models.CharField(_("收费员"), max_length=50, blank=True)
    receipt_no = models.CharField(_("收据号"), max_length=64, blank=True)
    order = models.ForeignKey(
        "billing.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deposit_movements",
        verbose_name=_("订单"),
    )
    refund = models.ForeignKey(
        "billing.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deposit_movements",
        verbose_name=_("退款"),
    )
    # A refund returns part of this credit (to its channel).
    source = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("原充值"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预交金流水")
        verbose_name_plural = _("预交金流水")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[*CREDITS, MovementKind.REFUND_RETURNED], amount__gt=0)
                | Q(kind__in=DEBITS, amount__lt=0),
                name="deposit_movement_sign_matches_kind",
            ),
            # A closed refund's amount comes back once, naming that refund.
            models.UniqueConstraint(
                fields=["refund"],
                condition=Q(kind=MovementKind.REFUND_RETURNED),
                name="deposit_refund_returned_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.REFUND_RETURNED, refund=None),
                name="deposit_refund_returned_names_its_refund",
            ),
            # At most one actor.
            models.CheckConstraint(
                condition=Q(by_user=None, by_follower=None)
                | Q(by_user=None, by_client=None)
                | Q(by_follower=None, by_client=None),
                name="deposit_movement_one_actor",
            ),
            # Money at the window is counted against a receipt: its number is required…
            models.CheckConstraint(
                condition=~Q(kind__in=WINDOW_TOPUPS + WINDOW_REFUNDS, receipt_no=""),
                name="deposit_window_movement_has_receipt",
            ),
            # …and a top-up's is used once in the institution (it makes the HIS's push of one
            # idempotent). A payout's voucher may cover several parts of one refund.
            models.UniqueConstraint(
                fields=["institution", "receipt_no"],
                condition=Q(kind__in=WINDOW_TOPUPS) & ~Q(receipt_no=""),
                name="deposit_topup_receipt_no_unique",
            ),
            # An online top-up is credited once per paid order, a bill spend once per order.
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind__in=[MovementKind.TOPUP_ONLINE, MovementKind.SPEND]),
                name="deposit_one_credit_or_spend_per_order",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.TOPUP_ONLINE, order=None),
                name="deposit_online_topup_has_order",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SOURCED, source__isnull=False)
                | Q(~Q(kind__in=SOURCED), source=None),
                name="deposit_refund_names_its_source",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def channel(self) -> str:
        return CHANNEL_OF.get(self.kind, "")

    @property
    def actor(self) -> str:
        """Who made it, for the ledger: staff user, WeChat user, API client, or the system."""
        if self.by_user_id:
            return str(self.by_user)
        if self.by_client_id:
            return f"{self.by_client.name} {self.cashier}".strip()
        if self.by_follower_id:
            return str(_("本人(微信)"))
        return str(_("系统"))


class WindowTopUp(models.Model):
    """A top-up the cashier started by showing a Native-pay QR: who started it, so the credit
    the payment brings names them."""

    order = models.OneToOneField(
        "billing.Order",
        on_delete=models.PROTECT,
        related_name="window_topup",
        verbose_name=_("订单"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    code_url = models.CharField(_("二维码链接"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("窗口扫码充值")
        verbose_name_plural = _("窗口扫码充值")
