"""The institution's release rules: kinds of report held back from patients for some days, or
until a doctor releases them (pathology, for instance), as data edited in the back office."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import ReleaseMode, ReportKind

MAX_HOLD_DAYS = 90

# Within rules_read_once(): the rules read so far, by (institution, kind, code).
_read: ContextVar[dict | None] = ContextVar("release_rules_read", default=None)


@contextmanager
def rules_read_once():
    """Within the block (a batch of pushes), the rules for a kind and code of report are read
    once, not once per report: a rule changed during the batch applies from the next one."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


@dataclass(frozen=True)
class Hold:
    """What the rules ask of a version: not before ``until``; and a doctor's release."""

    until: datetime | None = None
    needs_doctor: bool = False


class ReleaseRuleQuerySet(models.QuerySet):
    def applying_to(self, institution, kind: str, code: str):
        """Active rules for a report of ``kind`` whose code is ``code`` (a rule with no code
        covers every report of its kind)."""
        return self.filter(institution=institution, kind=kind, is_active=True).filter(
            Q(code="") | Q(code=code)
        )


class ReleaseRule(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="release_rules",
        verbose_name=_("机构"),
    )
    kind = models.CharField(_("报告类型"), max_length=20, choices=ReportKind.choices)
    code = models.CharField(
        _("项目代码"),
        max_length=64,
        blank=True,
        help_text=_("HIS的项目代码,如病理;留空则适用于该类型的全部报告"),
    )
    mode = models.CharField(_("发布方式"), max_length=10, choices=ReleaseMode.choices)
    days = models.PositiveSmallIntegerField(
        _("延迟天数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOLD_DAYS)],
        help_text=_("自首次出具报告起计算"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ReleaseRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告发布规则")
        verbose_name_plural = _("报告发布规则")
        ordering = ["institution", "kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode=ReleaseMode.DELAY, days__gte=1, days__lte=MAX_HOLD_DAYS)
                | Q(mode=ReleaseMode.DOCTOR, days=None),
                name="releaserule_days_with_delay_only",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code or '*'}: {self.get_mode_display()}"

    def clean(self):
        if self.mode == ReleaseMode.DELAY and not self.days:
            raise ValidationError({"days": _("延迟发布须填写天数")})
        if self.mode == ReleaseMode.DOCTOR and self.days is not None:
            raise ValidationError({"days": _("医生发布的规则不填天数")})

    @classmethod
    def hold_for(
        cls, institution, kind: str, code: str, first_issued: Callable[[], datetime]
    ) -> Hold:
        """All the rules that apply, together: the longest delay, and a doctor's release if any
        rule asks for one. ``first_issued()`` returns the moment a delay counts from; it is
        called only when a delay applies, so that a report no delay rule covers costs one
        query here, not two."""
        read = _read.get()
        key = (getattr(institution, "pk", institution), kind, code)
        if read is not None and key in read:
            rules = read[key]
        else:
            rules = list(cls.objects.applying_to(institution, kind, code))
            if read is not None:
                read[key] = rules
        days = max((r.days for r in rules if r.mode == ReleaseMode.DELAY), default=0)
        return Hold(
            until=first_issued() + timedelta(days=days) if days else None,
            needs_doctor=any(r.mode == ReleaseMode.DOCTOR for r in rules),
        )
