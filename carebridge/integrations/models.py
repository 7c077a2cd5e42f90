import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from carebridge.booking.models.choices import Channel

KEY_PREFIX = "cbk"


class Scope(models.TextChoices):
    """What a key may do. Every endpoint of the JSON API names the scope it needs; a key holds
    only those its system uses (least privilege)."""

    READ = "read", _("查询出诊、号源和预约")
    BOOK = "book", _("在本渠道的号源中预约")
    CANCEL_OWN = "cancel-own", _("取消本渠道的预约")
    CANCEL_ANY = "cancel-any", _("取消本院的任何预约")
    CHECK_IN = "check-in", _("签到")
    CALL_NEXT = "call-next", _("叫号")
    NO_SHOW = "no-show", _("记录爽约")
    REPORTS_PUSH = "reports:push", _("推送检查检验报告")
    BILLS_PUSH = "bills:push", _("推送账单")
    BILLS_READ = "bills:read", _("查询账单缴费状态")
    DEPOSITS_TOP_UP = "deposits:top-up", _("收费窗口预交金充值")


# A key made without scopes gets its channel's. A window or kiosk books, cancels what its own
# channel booked and checks patients in; a phone centre or a referral desk only books and
# cancels its own. Cancelling anyone's appointment, calling the queue, recording no-shows and
# pushing reports or bills are a HIS's or a queue system's, given by name when its key is made.
DEFAULT_SCOPES = {
    Channel.WINDOW: [Scope.READ, Scope.BOOK, Scope.CANCEL_OWN, Scope.CHECK_IN],
    Channel.KIOSK: [Scope.READ, Scope.BOOK, Scope.CANCEL_OWN, Scope.CHECK_IN],
    Channel.PHONE: [Scope.READ, Scope.BOOK, Scope.CANCEL_OWN],
    Channel.REFERRAL: [Scope.READ, Scope.BOOK, Scope.CANCEL_OWN],
    Channel.WECHAT: [Scope.READ],
}


def validate_scopes(value) -> None:
    """A list of Scope names, each once."""
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValidationError(_("权限应为权限名称的列表"), code="scopes")
    unknown = sorted(set(value) - set(Scope.values))
    if unknown:
        raise ValidationError(
            _("未知的权限:%(names)s"), code="scopes", params={"names": ", ".join(unknown)}
        )


def in_scope_order(scopes) -> list[str]:
    """``scopes`` once each, in the order of Scope."""
    given = set(scopes)
    return [s for s in Scope.values if s in given]


def hash_key(key: str) -> str:
    """SHA-256 of the whole key. Keys are 256-bit random strings, so a fast hash is enough (a
    slow password hash would only make every API call slower)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """A hospital system (HIS, kiosk, registration window, phone centre) calling the JSON API.

    The key is shown once when created; only its hash is stored. A client acts for one
    institution and books through one channel's pool."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="api_clients",
        verbose_name=_("机构"),
    )
    name = models.CharField(_("名称"), max_length=100)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    # The key's public prefix finds the row without a scan; the hash proves the key.
    key_id = models.CharField(_("密钥编号"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("密钥哈希"), max_length=64, editable=False)
    scopes = models.JSONField(
        _("权限"),
        default=list,
        blank=True,
        validators=[validate_scopes],
        help_text=_("新建时留空则取该渠道的默认权限"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["institution", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_channel_display()})"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.scopes:
            self.scopes = list(DEFAULT_SCOPES.get(self.channel, []))
        if isinstance(self.scopes, list):
            self.scopes = in_scope_order(self.scopes)
        super().save(*args, **kwargs)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def may_cancel(self, appointment) -> bool:
        """``cancel-any``: any appointment of the institution; ``cancel-own``: those booked
        through this key's channel (not WeChat's, not another channel's)."""
        if self.has_scope(Scope.CANCEL_ANY):
            return True
        return self.has_scope(Scope.CANCEL_OWN) and appointment.channel == self.channel

    def set_new_key(self) -> str:
        """Give the client a new key and return it (the only time it is visible)."""
        self.key_id = secrets.token_hex(6)
        key = f"{KEY_PREFIX}_{self.key_id}_{secrets.token_urlsafe(32)}"
        self.key_hash = hash_key(key)
        return key

    @classmethod
    def authenticate(cls, key: str) -> "ApiClient | None":
        parts = (key or "").split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        client = (
            cls.objects.select_related("institution")
            .filter(key_id=parts[1], is_active=True, institution__is_active=True)
            .first()
        )
        if client is None or not hmac.compare_digest(client.key_hash, hash_key(key)):
            return None
        return client
