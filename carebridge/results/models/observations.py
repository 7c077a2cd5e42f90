"""What a report found: its items (FHIR Observation) and, in a check-up, the sections by
department that group them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import Flag, RangeType
from ..flags import Range, applicable, flag_for


class CheckupSection(models.Model):
    """One department's part of a check-up (体检): its items and its conclusion."""

    version = models.ForeignKey(
        "ReportVersion",
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("报告版本"),
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("科室/项目"), max_length=100)
    performer = models.CharField(_("检查医生"), max_length=50, blank=True)
    conclusion = models.TextField(_("小结"), blank=True)

    class Meta:
        verbose_name = _("体检科室小结")
        verbose_name_plural = _("体检科室小结")
        ordering = ["version", "position"]

    def __str__(self):
        return self.title


class Observation(models.Model):
    """One item of a report: a value (a number with its unit, or text), the ranges it is read
    against, and its flag: the HIS's, or computed from the range that fits the patient."""

    version = models.ForeignKey(
        "ReportVersion",
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("报告版本"),
    )
    section = models.ForeignKey(
        CheckupSection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("体检科室"),
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    code = models.CharField(_("项目代码"), max_length=64, blank=True)
    name = models.CharField(_("项目名称"), max_length=200)
    value_quantity = models.DecimalField(
        _("数值结果"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    value_string = models.TextField(_("文字结果"), blank=True)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    # Every range the HIS sent (flags.Range.to_stored): by sex, by age, normal and critical.
    reference_ranges = models.JSONField(_("参考范围"), default=list, blank=True)
    his_flag = models.CharField(_("HIS标志"), max_length=2, choices=Flag.choices, blank=True)
    flag = models.CharField(_("结果标志"), max_length=2, choices=Flag.choices, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("检验项目")
        verbose_name_plural = _("检验项目")
        ordering = ["version", "position"]

    def __str__(self):
        return self.name

    def ranges(self) -> list[Range]:
        return [Range.from_stored(r) for r in self.reference_ranges]

    def applicable_range(self, sex: str | None, age: int | None) -> Range | None:
        """The normal range a patient of ``sex`` and ``age`` (completed years) is read against."""
        return applicable(self.ranges(), RangeType.NORMAL, sex, age)

    def computed_flag(self, sex: str | None, age: int | None) -> str:
        """The flag this value earns for a patient of ``sex`` and ``age``: H / L / N against the
        normal range, HH / LL beyond the critical limits, N / A / AA for a text value; "" when
        no range says."""
        return flag_for(self.value_quantity, self.value_string, self.ranges(), sex, age)

    def settle_flag(self, sex: str | None, age: int | None) -> None:
        """The flag shown: the HIS's when it sent one, else the computed one."""
        self.flag = self.his_flag or self.computed_flag(sex, age)

    def display_value(self) -> str:
        """The result as people write it: 2.4, not 2.400000; or the text."""
        if self.value_quantity is None:
            return self.value_string
        return format(self.value_quantity.normalize(), "f")

    @property
    def is_critical(self) -> bool:
        return self.flag in Flag.critical()
