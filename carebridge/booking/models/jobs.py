from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyJobRun(models.Model):
    """One day's run of a daily job (booking.daily): the row is the claim, so a job runs once a
    day however many schedulers or cron lines call it, and staff see when it last ran."""

    job = models.CharField(_("任务"), max_length=50)
    day = models.DateField(_("日期"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=1)
    failed = models.BooleanField(_("失败"), default=False)
    result = models.CharField(_("结果"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("每日任务")
        verbose_name_plural = _("每日任务")
        ordering = ["-day", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="dailyjob_once_a_day")]

    def __str__(self):
        return f"{self.job} {self.day}"
