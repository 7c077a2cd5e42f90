from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QrScene(models.Model):
    """A parametric QR code: a follow or scan through it says where the user came from."""

    account = models.ForeignKey(
        "institutions.WeChatAccount",
        on_delete=models.CASCADE,
        related_name="qr_scenes",
        verbose_name=_("公众号"),
    )
    label = models.CharField(_("用途"), max_length=100)
    permanent = models.BooleanField(_("永久"), default=False)
    scene_id = models.PositiveBigIntegerField(_("场景值ID"), null=True, blank=True)
    scene_str = models.CharField(_("场景值字符串"), max_length=64, blank=True)
    expire_seconds = models.PositiveIntegerField(_("有效期(秒)"), null=True, blank=True)
    ticket = models.CharField(_("二维码票据"), max_length=255, blank=True)
    url = models.CharField(_("二维码内容"), max_length=255, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    subscribe_count = models.PositiveIntegerField(_("关注次数"), default=0)
    scan_count = models.PositiveIntegerField(_("扫码次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("带参数二维码")
        verbose_name_plural = _("带参数二维码")
        ordering = ["-id"]
        constraints = [
            # A permanent scene is created once: creating it again would spend the 100,000.
            models.UniqueConstraint(
                fields=["account", "scene_id"],
                condition=models.Q(permanent=True, scene_id__isnull=False),
                name="qrscene_permanent_id_once",
            ),
            models.UniqueConstraint(
                fields=["account", "scene_str"],
                condition=models.Q(permanent=True) & ~models.Q(scene_str=""),
                name="qrscene_permanent_str_once",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def scene(self) -> str:
        return self.scene_str or str(self.scene_id or "")

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
