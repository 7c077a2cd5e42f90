"""The codes of reports and visits. Values are FHIR R4's where FHIR has them (DiagnosticReport
status, Observation interpretation, Encounter status), so a FHIR adapter maps them one to one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """The three kinds of report the account shows (查报告单). In the API: ``category``."""

    LAB = "laboratory", _("检验报告")
    IMAGING = "imaging", _("检查报告")
    CHECKUP = "checkup", _("体检报告")


class ReportStatus(models.TextChoices):
    """FHIR DiagnosticReport.status."""

    REGISTERED = "registered", _("已登记")
    PARTIAL = "partial", _("部分结果")
    PRELIMINARY = "preliminary", _("初步报告")
    FINAL = "final", _("已审核")
    AMENDED = "amended", _("已修改")
    CORRECTED = "corrected", _("已更正")
    CANCELLED = "cancelled", _("已取消")
    ENTERED_IN_ERROR = "entered-in-error", _("已撤回(录入错误)")

    @classmethod
    def visible(cls) -> list[str]:
        """The statuses a patient may ever see: a report checked and signed, or changed since."""
        return [cls.FINAL, cls.AMENDED, cls.CORRECTED]

    @classmethod
    def withdrawing(cls) -> list[str]:
        """The statuses that end a report: whatever the patient saw of it is taken back."""
        return [cls.CANCELLED, cls.ENTERED_IN_ERROR]

    @classmethod
    def may_follow(cls, previous: str | None, new: str) -> bool:
        """Whether a newer version may have status ``new`` after one with ``previous``. Once a
        report is final it changes only by amendment, correction or withdrawal in error (FHIR);
        before that, anything goes, including a jump over a version still on its way."""
        if previous in cls.visible():
            return new in (cls.AMENDED, cls.CORRECTED, cls.ENTERED_IN_ERROR)
        return True


class Flag(models.TextChoices):
    """FHIR Observation.interpretation (HL7 v3 ObservationInterpretation)."""

    NORMAL = "N", _("正常")
    HIGH = "H", _("偏高")
    LOW = "L", _("偏低")
    CRITICAL_HIGH = "HH", _("危急值(高)")
    CRITICAL_LOW = "LL", _("危急值(低)")
    ABNORMAL = "A", _("异常")
    CRITICAL_ABNORMAL = "AA", _("危急值(异常)")

    @classmethod
    def critical(cls) -> list[str]:
        return [cls.CRITICAL_HIGH, cls.CRITICAL_LOW, cls.CRITICAL_ABNORMAL]

    @classmethod
    def abnormal(cls) -> list[str]:
        """Every flag a patient's page marks: all but N (and no flag at all)."""
        return [cls.HIGH, cls.LOW, cls.ABNORMAL, *cls.critical()]


class RangeType(models.TextChoices):
    """What a reference range bounds: the normal values, or the critical limits beyond which a
    value is HH / LL (FHIR referenceRange.type, with "critical" for the 危急值 limits)."""

    NORMAL = "normal", _("参考范围")
    CRITICAL = "critical", _("危急值界限")


class ReleaseMode(models.TextChoices):
    DELAY = "delay", _("出报告后延迟若干天")
    DOCTOR = "doctor", _("医生发布后")


class ContactMethod(models.TextChoices):
    """How the clinician reached the patient about a critical value."""

    PHONE = "phone", _("电话")
    IN_PERSON = "in_person", _("当面")
    WARD = "ward", _("通知病区")
    SMS = "sms", _("短信")
    OTHER = "other", _("其他(见说明)")


class VisitStatus(models.TextChoices):
    """FHIR Encounter.status."""

    PLANNED = "planned", _("计划中")
    ARRIVED = "arrived", _("已到达")
    TRIAGED = "triaged", _("已分诊")
    IN_PROGRESS = "in-progress", _("就诊中")
    ONLEAVE = "onleave", _("请假")
    FINISHED = "finished", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    ENTERED_IN_ERROR = "entered-in-error", _("录入错误")
    UNKNOWN = "unknown", _("未知")

    @classmethod
    def visible(cls) -> list[str]:
        """A visit the patient has made or is making: not a plan, a cancellation or an error."""
        return [cls.ARRIVED, cls.TRIAGED, cls.IN_PROGRESS, cls.ONLEAVE, cls.FINISHED]


class Blocker(models.TextChoices):
    """Why a version is not released to the patient yet."""

    SUPERSEDED = "superseded", _("已有更新版本")
    WITHDRAWN = "withdrawn", _("报告已撤回")
    NOT_FINAL = "not_final", _("报告尚未审核")
    CRITICAL = "critical", _("危急值待临床确认")
    DOCTOR = "doctor", _("待医生发布")
