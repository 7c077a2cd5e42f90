from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Institution
from carebridge.wechat.models.messaging import SendStatus

from .plans import PushPlan

# WeChat's 群发保护 (Settings → Security centre → risk-operation protection): a mass send to all
# followers waits for an administrator to confirm it on their phone; refused or not confirmed
# within 30 minutes, it fails (WeChat's mass/get: SEND_FAIL; MASSSENDJOBFINISH: "send fail").
PROTECTION_WINDOW = timedelta(minutes=30)


class PlannedSendStatus(models.TextChoices):
    PLANNED = "planned", _("已计划")
    SUBMITTED = "submitted", _("已提交")
    CANCELLED = "cancelled", _("已取消")
    FAILED = "failed", _("未能提交")


class Segment(models.TextChoices):
    ALL = "all", _("全部粉丝")
    TAG = "tag", _("按标签")
    SCENE = "scene", _("按关注来源（二维码场景）")


class PlannedSend(models.Model):
    """A mass send planned on the calendar: counted against the month's quota from the moment
    it is planned, previewed to staff, submitted by the outbox at ``due_at`` (wechat's
    ``submit_mass_send``), then followed to WeChat's job-finish report."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="planned_sends", verbose_name=_("机构")
    )
    account = models.ForeignKey(
        "institutions.WeChatAccount", on_delete=models.CASCADE, verbose_name=_("公众号")
    )
    mass = models.OneToOneField(
        "wechat.MassSend",
        on_delete=models.PROTECT,
        related_name="planned",
        verbose_name=_("群发"),
    )
    plan = models.ForeignKey(
        PushPlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sends",
        verbose_name=_("推送选题"),
    )
    segment = models.CharField(_("发送对象"), max_length=10, choices=Segment.choices)
    scene = models.CharField(_("来源场景"), max_length=64, blank=True)
    due_at = models.DateTimeField(_("计划发送时间"))
    # The quota period the plan counts against (service account: "2026-04"; subscription
    # account: "2026-04-07"), in China's calendar.
    period = models.CharField(_("配额周期"), max_length=16, db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=PlannedSendStatus.choices,
        default=PlannedSendStatus.PLANNED,
    )
    error = models.TextField(_("错误"), blank=True)
    previewed_at = models.DateTimeField(_("预览时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("计划群发")
        verbose_name_plural = _("计划群发")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["account", "period", "status"], name="publishing_send_quota")
        ]

    def __str__(self):
        return self.mass.title

    def stage(self, now=None) -> tuple[str, str]:
        """Where the send is, for the page: (code, words). Reads the MassSend it drives."""
        now = now or timezone.now()
        if self.status != PlannedSendStatus.SUBMITTED:
            return self.status, self.get_status_display()
        mass, report = self.mass, self.mass.report or {}
        if mass.status == SendStatus.FAILED:
            return "refused", _("微信拒绝了这次群发：%s") % mass.error
        if mass.status != SendStatus.SENT:
            return "queued", _("排队发送中")
        status = str(report.get("Status") or "")
        if status == "send success":
            return "finished", _("发送完成")
        if status:
            return "report_failed", _("微信报告群发失败（%s）") % status
        if self.protection_pending(now):
            return "confirming", _("等待管理员在手机上确认（群发保护）")
        return "sending", _("微信正在发送")

    def protection_pending(self, now=None) -> bool:
        """Is the send within the 30 minutes an administrator has to confirm it, as far as we
        know (the institution says protection is on, and no report has come)?"""
        settings_row = getattr(self.institution, "calendar_settings", None)
        sent_at = self.mass.sent_at
        return bool(
            settings_row
            and settings_row.mass_protection
            and sent_at
            and not self.mass.report
            and (now or timezone.now()) < sent_at + PROTECTION_WINDOW
        )

    @property
    def progress(self) -> int | None:
        """Per cent of the targeted followers WeChat reports as reached, once it reports."""
        report = self.mass.report or {}
        try:
            sent, total = int(report.get("SentCount")), int(report.get("FilterCount"))
        except (TypeError, ValueError):
            return None
        return round(100 * sent / total) if total else 100
