"""The patient's TCM constitution results (中医体质辨识), kept in the account's record."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import constitution as standard


class ConstitutionResultQuerySet(models.QuerySet):
    def of_account(self, follower):
        """What one WeChat user may see: the results of their own active patients."""
        return self.filter(patient__owner=follower, patient__archived_at=None)


class ConstitutionResult(models.Model):
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="constitution_results",
        verbose_name=_("就诊人"),
    )
    sex = models.CharField(_("性别"), max_length=10)
    answers = models.JSONField(_("答案"), default=dict)
    # Type key → transformed score as a string ("78.1"), and → verdict (constitution.Verdict).
    scores = models.JSONField(_("转化分"), default=dict)
    verdicts = models.JSONField(_("判定结果"), default=dict)
    created_at = models.DateTimeField(_("测评时间"), default=timezone.now)

    objects = ConstitutionResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("体质辨识结果")
        verbose_name_plural = _("体质辨识结果")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.patient.masked_name()} {self.created_at:%Y-%m-%d}"

    def rows(self) -> list[dict]:
        """Per type in the standard's order: name, score, verdict label, and whether it counts
        (any verdict but 否)."""
        return [
            {
                "key": key,
                "name": name,
                "score": self.scores[key],
                "verdict": standard.VERDICT_LABELS[self.verdicts[key]],
                "found": self.verdicts[key] != standard.Verdict.NO,
            }
            for key, name in standard.TYPES.items()
        ]

    def identified(self) -> list[str]:
        found = [k for k, v in self.verdicts.items() if v != standard.Verdict.NO]
        return sorted(found, key=lambda k: (k != standard.BALANCED, -float(self.scores[k])))

    def summary(self) -> str:
        return "、".join(str(standard.TYPES[k]) for k in self.identified()) or "-"
