"""就诊记录 (FHIR Encounter): when and where the patient was seen, by whom, what was found and
what was prescribed. The HIS pushes a visit whole; a newer version replaces it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import VisitStatus


class VisitQuerySet(models.QuerySet):
    def for_account(self, follower):
        """Visits of the active patients this WeChat user holds, and of no one else."""
        return self.filter(patient__owner=follower, patient__archived_at=None)

    def visible_to_patient(self):
        return self.filter(status__in=VisitStatus.visible())

    def newest_first(self):
        return self.order_by("-started_at", "-id")


class Visit(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="visits",
        verbose_name=_("机构"),
    )
    identifier = models.CharField(_("HIS就诊号"), max_length=64)
    version = models.PositiveIntegerField(_("版本号"))
    content_hash = models.CharField(_("内容摘要"), max_length=64, editable=False)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("就诊人"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=VisitStatus.choices)
    started_at = models.DateTimeField(_("就诊时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    department_code = models.CharField(_("科室代码"), max_length=64, blank=True)
    department = models.CharField(_("科室"), max_length=100)
    doctor = models.CharField(_("医生"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    api_client = models.ForeignKey(
        "integrations.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("推送接口"),
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("就诊记录")
        verbose_name_plural = _("就诊记录")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "identifier"], name="visit_one_per_his_id"
            )
        ]
        indexes = [models.Index(fields=["patient", "-started_at"])]

    def __str__(self):
        return f"{self.department} {timezone.localtime(self.started_at):%Y-%m-%d}"


class Diagnosis(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="diagnoses", verbose_name=_("就诊记录")
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    code = models.CharField(_("诊断编码"), max_length=64, blank=True, help_text=_("如 ICD-10"))
    name = models.CharField(_("诊断"), max_length=200)

    class Meta:
        verbose_name = _("诊断")
        verbose_name_plural = _("诊断")
        ordering = ["visit", "position"]

    def __str__(self):
        return self.name


class PrescriptionItem(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="prescription", verbose_name=_("就诊记录")
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    code = models.CharField(_("药品代码"), max_length=64, blank=True)
    name = models.CharField(_("药品名称"), max_length=200)
    dosage = models.CharField(_("用法用量"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("数量"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("处方药品")
        verbose_name_plural = _("处方药品")
        ordering = ["visit", "position"]

    def __str__(self):
        return self.name
