from django.db import models
from django.utils.translation import gettext_lazy as _


class ButtonType(models.TextChoices):
    CLICK = "click", _("点击")
    VIEW = "view", _("网页")
    MINIPROGRAM = "miniprogram", _("小程序")
    SCANCODE_PUSH = "scancode_push", _("扫码推事件")
    SCANCODE_WAITMSG = "scancode_waitmsg", _("扫码带提示")
    PIC_SYSPHOTO = "pic_sysphoto", _("系统拍照")
    PIC_PHOTO_OR_ALBUM = "pic_photo_or_album", _("拍照或相册")
    PIC_WEIXIN = "pic_weixin", _("微信相册")
    LOCATION_SELECT = "location_select", _("发送位置")
    SUBMENU = "", _("子菜单")


class MenuButton(models.Model):
    """One button of the custom menu: a top button (parent=None) or one of its sub-buttons."""

    account = models.ForeignKey(
        "institutions.WeChatAccount",
        on_delete=models.CASCADE,
        related_name="menu_buttons",
        verbose_name=_("公众号"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级菜单"),
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("名称"), max_length=60)
    type = models.CharField(_("类型"), max_length=20, choices=ButtonType.choices, blank=True)
    key = models.CharField(_("键"), max_length=128, blank=True)
    url = models.CharField(_("网址"), max_length=1024, blank=True)
    appid = models.CharField(_("小程序AppID"), max_length=64, blank=True)
    pagepath = models.CharField(_("小程序页面"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("菜单按钮")
        verbose_name_plural = _("菜单按钮")
        ordering = ["parent_id", "position", "id"]

    def __str__(self):
        return self.name
