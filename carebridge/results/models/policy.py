"""What an institution sends patients about their reports: the WeChat template ids, edited in
the back office like the booking policy's. An institution without a row sends nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultsPolicy(models.Model):
    institution = models.OneToOneField(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="results_policy",
        verbose_name=_("机构"),
    )
    # WeChat template ids (公众平台 → 模板消息); blank: that message is not sent.
    tpl_report_ready = models.CharField(
        _("模板:报告已出"),
        max_length=64,
        blank=True,
        help_text=_("字段:first、keyword1 就诊人、keyword2 报告名称、keyword3 报告时间、remark"),
    )
    tpl_report_withdrawn = models.CharField(
        _("模板:报告更正"),
        max_length=64,
        blank=True,
        help_text=_("字段:first、keyword1 就诊人、keyword2 报告名称、keyword3 撤回时间、remark"),
    )

    class Meta:
        verbose_name = _("报告通知设置")
        verbose_name_plural = _("报告通知设置")

    def __str__(self):
        return str(self.institution)

    @classmethod
    def for_institution(cls, institution) -> "ResultsPolicy":
        """The institution's settings, or empty ones (unsaved: nothing is sent)."""
        try:
            return institution.results_policy
        except cls.DoesNotExist:
            return cls(institution=institution)
