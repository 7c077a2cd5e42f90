from django.db import models
from django.utils.translation import gettext_lazy as _


class SendStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # mass sends only: previewed, not yet submitted
    QUEUED = "queued", _("排队中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


class TemplateSend(models.Model):
    """A template message to one follower; sent by the outbox, finished by TEMPLATESENDJOBFINISH."""

    account = models.ForeignKey(
        "institutions.WeChatAccount", on_delete=models.CASCADE, verbose_name=_("公众号")
    )
    openid = models.CharField(_("OpenID"), max_length=64, db_index=True)
    template_id = models.CharField(_("模板ID"), max_length=64)
    data = models.JSONField(_("模板数据"), default=dict)
    url = models.CharField(_("跳转网址"), max_length=1024, blank=True)
    # WeChat's dedup id: the same openid + client_msg_id is delivered once (10 minutes), so the
    # outbox can resend after a crash without a second message. Derived from the outbox row.
    client_msg_id = models.CharField(_("去重编号"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED
    )
    msgid = models.BigIntegerField(_("微信消息ID"), null=True, blank=True, db_index=True)
    answer = models.JSONField(_("微信应答"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # TEMPLATESENDJOBFINISH's Status: success, failed:user block, failed: system failed.
    delivery = models.CharField(_("送达结果"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("模板消息")
        verbose_name_plural = _("模板消息")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.template_id} → {self.openid}"


class MassMsgType(models.TextChoices):
    TEXT = "text", _("文本")
    MPNEWS = "mpnews", _("图文")
    IMAGE = "image", _("图片")
    VOICE = "voice", _("语音")
    MPVIDEO = "mpvideo", _("视频")
    WXCARD = "wxcard", _("卡券")


class MassSend(models.Model):
    """A mass message (群发) to every follower, a tag or a list of openids; counted against the
    account's quota (service account: 4 a month; subscription account: 1 a day)."""

    account = models.ForeignKey(
        "institutions.WeChatAccount", on_delete=models.CASCADE, verbose_name=_("公众号")
    )
    title = models.CharField(_("标题"), max_length=100)
    msgtype = models.CharField(
        _("消息类型"), max_length=20, choices=MassMsgType.choices, default=MassMsgType.TEXT
    )
    # WeChat's body for the type: {"content": …} for text, {"media_id": …} for the others.
    content = models.JSONField(_("内容"), default=dict)
    tag_id = models.IntegerField(
        _("标签ID"), null=True, blank=True, help_text=_("留空则发给全部粉丝")
    )
    openids = models.JSONField(
        _("指定用户"), default=list, blank=True, help_text=_("按 OpenID 群发（至少 2 个）")
    )
    preview_openid = models.CharField(
        _("预览用户 OpenID"), max_length=64, blank=True, help_text=_("“预览”动作发给这个微信用户")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED
    )
    clientmsgid = models.CharField(_("去重编号"), max_length=64, blank=True)
    # The period its quota came from.
    quota_period = models.CharField(_("配额周期"), max_length=16, blank=True)
    msg_id = models.BigIntegerField(_("微信消息ID"), null=True, blank=True, db_index=True)
    result = models.JSONField(_("微信应答"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    report = models.JSONField(_("群发结果"), null=True, blank=True)  # MASSSENDJOBFINISH
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("群发")
        verbose_name_plural = _("群发")
        ordering = ["-id"]

    def __str__(self):
        return self.title

    def wire_body(self) -> dict:
        """The message part of WeChat's mass-send body: msgtype and its content."""
        return {"msgtype": self.msgtype, self.msgtype: self.content}
