"""The back office's worklists, as proxies of ReportVersion with their own lists and rights:
staff who may change a CriticalValue acknowledge critical values, staff who may change a
HeldReport release reports held for a doctor."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import ReportVersion, ReportVersionQuerySet


class CriticalValueManager(models.Manager.from_queryset(ReportVersionQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(critical=True)


class CriticalValue(ReportVersion):
    """Every version that held a critical value; those awaiting acknowledgement first."""

    objects = CriticalValueManager()

    class Meta:
        proxy = True
        verbose_name = _("危急值")
        verbose_name_plural = _("危急值")


class HeldReportManager(models.Manager.from_queryset(ReportVersionQuerySet)):
    def get_queryset(self):
        return super().get_queryset().awaiting_doctor()


class HeldReport(ReportVersion):
    objects = HeldReportManager()

    class Meta:
        proxy = True
        verbose_name = _("待医生发布的报告")
        verbose_name_plural = _("待医生发布的报告")
