import hashlib
import hmac
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from carebridge.booking.models.choices import Channel

KEY_PREFIX = "cbk"


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
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["institution", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_channel_display()})"

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
