"""An institution's billing settings: the online top-up limits and where the HIS hears of
payments (its callback URL). An institution without a row gets the defaults."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from carebridge.patients.fields import EncryptedTextField


class BillingPolicy(models.Model):
    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="billing_policy",
        verbose_name=_("机构"),
    )
    topup_min = models.PositiveIntegerField(
        _("线上充值下限"), default=100, validators=[MinValueValidator(1)], help_text=_("以分为单位")
    )
    topup_max = models.PositiveIntegerField(
        _("线上充值上限"), default=5_000_000, help_text=_("以分为单位")
    )
    # The HIS's endpoint for payment events (a bill paid, a deposit credited); blank: none sent.
    his_callback_url = models.URLField(_("HIS 回调地址"), max_length=500, blank=True)
    # Signs each callback (HMAC-SHA256 of the body in X-CareBridge-Signature); blank: unsigned.
    his_callback_secret = EncryptedTextField(_("HIS 回调密钥"), blank=True)

    class Meta:
        verbose_name = _("缴费设置")
        verbose_name_plural = _("缴费设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(topup_min__gte=1, topup_max__gte=F("topup_min")),
                name="billing_topup_limits_ordered",
                violation_error_message=_("线上充值下限至少 0.01 元,上限不能低于下限"),
            )
        ]

    def __str__(self):
        return str(self.institution)

    @classmethod
    def for_institution(cls, institution) -> "BillingPolicy":
        """The institution's settings, or the defaults (unsaved)."""
        try:
            return institution.billing_policy
        except cls.DoesNotExist:
            return cls(institution=institution)
