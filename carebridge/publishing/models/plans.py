from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Department, Institution


class PushPlan(models.Model):
    """An occasion of the calendar turned into work: a topic, the department that writes it,
    a due date, and the draft article it became (kept, so next year's calendar can show what
    was published for the same occasion)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="push_plans", verbose_name=_("机构")
    )
    # The occasion across years (``term:清明``, ``health:12``) and its first day this time.
    occasion_key = models.CharField(_("节日标识"), max_length=80)
    occasion_name = models.CharField(_("节日"), max_length=100)
    occasion_date = models.DateField(_("节日日期"))
    topic = models.CharField(_("选题"), max_length=120)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="push_plans",
        verbose_name=_("承稿科室"),
    )
    due_date = models.DateField(_("截稿日期"))
    article = models.ForeignKey(
        "content.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="push_plans",
        verbose_name=_("稿件"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送选题")
        verbose_name_plural = _("推送选题")
        ordering = ["due_date", "id"]
        constraints = [
            # One click makes one draft: a second click (or a second editor) finds this plan.
            models.UniqueConstraint(
                fields=["institution", "occasion_key", "occasion_date"],
                name="publishing_pushplan_once_per_occasion",
            )
        ]

    def __str__(self):
        return f"{self.occasion_name}: {self.topic}"
