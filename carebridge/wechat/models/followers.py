from django.db import models
from django.utils.translation import gettext_lazy as _


class Follower(models.Model):
    """One WeChat user (openid) of one account, kept current from events and the user list."""

    account = models.ForeignKey(
        "institutions.WeChatAccount",
        on_delete=models.CASCADE,
        related_name="followers",
        verbose_name=_("公众号"),
    )
    openid = models.CharField(_("OpenID"), max_length=64)
    unionid = models.CharField(_("UnionID"), max_length=64, blank=True)
    nickname = models.CharField(_("昵称"), max_length=100, blank=True)
    subscribed = models.BooleanField(_("关注中"), default=False)
    subscribed_at = models.DateTimeField(_("关注时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("取消关注时间"), null=True, blank=True)
    source_scene = models.CharField(_("来源场景"), max_length=64, blank=True)
    # The 48-hour customer-service window is counted from here.
    last_interaction_at = models.DateTimeField(_("最近互动"), null=True, blank=True)
    # From the LOCATION event the account receives when the user opens the chat (if allowed).
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    located_at = models.DateTimeField(_("位置上报时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("首次记录"), auto_now_add=True)
    # 长辈版 (elder mode) of the H5 pages, chosen by the user (carebridge/h5/); offered once.
    elder_mode = models.BooleanField(_("长辈版"), default=False)
    elder_mode_offered_at = models.DateTimeField(_("长辈版提示时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("粉丝")
        verbose_name_plural = _("粉丝")
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="follower_account_openid")
        ]

    def __str__(self):
        return self.nickname or self.openid


class GrantKind(models.TextChoices):
    MESSAGE = "message", _("用户发消息")  # 48 h, 5 messages
    CLICK = "click", _("点击菜单")  # 1 min, 3 messages
    SUBSCRIBE = "subscribe", _("关注")  # 1 min, 3 messages
    SCAN = "scan", _("扫描二维码")  # 1 min, 3 messages
    PAYMENT = "payment", _("支付成功")  # 48 h, unlimited


class CsGrant(models.Model):
    """What one trigger allows us to send as customer-service messages (DESIGN.md's rules)."""

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="cs_grants")
    kind = models.CharField(max_length=20, choices=GrantKind.choices)
    opened_at = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "kind"], name="csgrant_follower_kind")
        ]
