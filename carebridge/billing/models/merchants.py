"""An institution's WeChat Pay merchant account (商户号) and the keys its API calls need."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from carebridge.patients.fields import EncryptedTextField

APIV3_KEY_BYTES = 32
NOTIFY_PATH = "/billing/wxpay/notify/"


class VerifyMode(models.TextChoices):
    """How WeChat Pay's answers and notifications are verified: the older platform
    certificates (Wechatpay-Serial is a certificate serial) or the WeChat Pay public key
    (Wechatpay-Serial is ``PUB_KEY_ID_…``), which new merchants get."""

    CERTIFICATE = "certificate", _("平台证书")
    PUBLIC_KEY = "public_key", _("微信支付公钥")


def validate_apiv3_key(value: str) -> None:
    if len(value.encode()) != APIV3_KEY_BYTES:
        raise ValidationError(_("APIv3 密钥必须是 32 字节"))


class Merchant(models.Model):
    """One merchant per institution (直连商户). The merchant's private key and its APIv3 key
    are encrypted at rest (patients/crypto.py keys); the platform's public material is not
    secret and is stored as it comes."""

    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="merchant",
        verbose_name=_("机构"),
    )
    mchid = models.CharField(_("商户号"), max_length=32, unique=True)
    appid = models.CharField(_("公众号 AppID"), max_length=32)
    cert_serial_no = models.CharField(_("商户 API 证书序列号"), max_length=64)
    private_key = EncryptedTextField(_("商户 API 私钥"))
    apiv3_key = EncryptedTextField(_("APIv3 密钥"), validators=[validate_apiv3_key])
    verify_mode = models.CharField(
        _("验签方式"), max_length=16, choices=VerifyMode.choices, default=VerifyMode.PUBLIC_KEY
    )
    public_key_id = models.CharField(_("微信支付公钥 ID"), max_length=64, blank=True)
    public_key = models.TextField(_("微信支付公钥"), blank=True)
    # One PEM certificate or several (during WeChat's rotation both old and new are valid).
    platform_certificates = models.TextField(_("平台证书"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("微信支付商户")
        verbose_name_plural = _("微信支付商户")

    def __str__(self):
        return f"{self.mchid} ({self.institution})"

    def clean(self):
        if self.verify_mode == VerifyMode.PUBLIC_KEY and not (
            self.public_key_id.startswith("PUB_KEY_ID_") and self.public_key
        ):
            raise ValidationError(_("公钥模式需要 PUB_KEY_ID_ 开头的公钥 ID 和公钥"))
        if self.verify_mode == VerifyMode.CERTIFICATE and not self.platform_certificates:
            raise ValidationError(_("证书模式需要平台证书"))

    @property
    def notify_url(self) -> str:
        """Where WeChat Pay posts this merchant's payment notifications: on SITE_URL, never
        on a request's Host header. (The view that answers there comes with the orders.)"""
        return f"{settings.SITE_URL}{NOTIFY_PATH}{self.mchid}/"
