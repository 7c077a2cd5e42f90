"""Questionnaires as data (满意度调查 and other surveys): questions of six kinds with simple
branching, the answers (one per WeChat user, or per visit), the after-visit invitations sent,
and each institution's settings for them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Department, Doctor, Institution

from .open_period import OpenPeriod, OpenPeriodQuerySet


class SurveyKind(models.TextChoices):
    GENERAL = "general", _("一般调查")
    # Sent N hours after a checked-in visit, answered once per visit (notify.py).
    AFTER_VISIT = "after_visit", _("就诊后满意度")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("评分(1-5)")
    NPS = "nps", _("推荐度(0-10)")
    TEXT = "text", _("文字")
    MATRIX = "matrix", _("矩阵单选")


class SurveyQuerySet(OpenPeriodQuerySet):
    def after_visit_for(self, department_id, now=None):
        """The open after-visit survey for a department: its own, else the institution-wide
        one (no department)."""
        surveys = self.open(now).filter(kind=SurveyKind.AFTER_VISIT)
        own = surveys.filter(department_id=department_id).order_by("-opens_at").first()
        return own or surveys.filter(department=None).order_by("-opens_at").first()


class Survey(OpenPeriod):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("机构")
    )
    kind = models.CharField(
        _("类型"), max_length=12, choices=SurveyKind.choices, default=SurveyKind.GENERAL
    )
    title = models.CharField(_("标题"), max_length=100)
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    intro = models.TextField(_("说明"), blank=True)
    intro_en = models.TextField(_("英文说明"), blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("科室"),
        help_text=_("就诊后满意度:留空则用于所有科室"),
    )
    anonymous = models.BooleanField(
        _("匿名"), default=False, help_text=_("匿名调查不记录微信用户和就诊人")
    )

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        ordering = ["-opens_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def per_visit(self) -> bool:
        """Answered once per visit (after-visit surveys), else once per WeChat user."""
        return self.kind == SurveyKind.AFTER_VISIT


def _lines(text: str) -> list[tuple[str, str]]:
    """ "中文 | English" per line → [(中文, English)]; the English falls back to the Chinese."""
    pairs = []
    for line in text.splitlines():
        zh, _sep, en = line.partition("|")
        if zh.strip():
            pairs.append((zh.strip(), en.strip() or zh.strip()))
    return pairs


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("问卷")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=200)
    text_en = models.CharField(_("英文题目"), max_length=400, blank=True)
    choices = models.TextField(
        _("选项"),
        blank=True,
        help_text=_("单选、多选的选项,矩阵的列;每行一个,可写作“中文 | English”"),
    )
    rows = models.TextField(_("矩阵行"), blank=True, help_text=_("矩阵题的行,每行一个"))
    required = models.BooleanField(_("必答"), default=True)
    # Simple branching: asked only when an earlier single-choice question got one of these.
    show_if = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("显示条件题目"),
    )
    show_if_values = models.CharField(
        _("显示条件选项"),
        max_length=200,
        blank=True,
        help_text=_("条件题目选中其中之一时才显示本题;多个选项用逗号分隔"),
    )

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text

    def clean(self):
        """Staff's mistakes refused in the form: a choice question without choices, a matrix
        without rows, a condition on anything but an earlier single choice's own options."""
        errors = {}
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.MATRIX):
            if len(_lines(self.choices)) < 2:
                errors["choices"] = _("至少填写两个选项")
        if self.kind == QuestionKind.MATRIX and not _lines(self.rows):
            errors["rows"] = _("矩阵题至少填写一行")
        if self.show_if is not None:
            condition = self.show_if
            if condition.kind != QuestionKind.SINGLE or condition.survey_id != self.survey_id:
                errors["show_if"] = _("条件题目须是本问卷的单选题")
            elif (condition.position, condition.pk) >= (self.position, self.pk or 1 << 62):
                errors["show_if"] = _("条件题目须排在本题之前")
            elif not self.trigger_values() or not self.trigger_values() <= {
                zh for zh, _en in _lines(condition.choices)
            }:
                errors["show_if_values"] = _("请填写条件题目的选项(中文)")
        if errors:
            raise ValidationError(errors)

    def options(self) -> list[tuple[str, str]]:
        """(value, label in the active language): the value stored is the Chinese text."""
        english = (get_language() or "").startswith("en")
        return [(zh, en if english else zh) for zh, en in _lines(self.choices)]

    def matrix_rows(self) -> list[tuple[str, str]]:
        english = (get_language() or "").startswith("en")
        return [(zh, en if english else zh) for zh, en in _lines(self.rows)]

    def trigger_values(self) -> set[str]:
        return {
            v.strip() for v in self.show_if_values.replace("\uff0c", ",").split(",") if v.strip()
        }

    def is_shown(self, answers: dict) -> bool:
        """Whether the question applies given the other answers (its condition met)."""
        if self.show_if_id is None:
            return True
        return answers.get(str(self.show_if_id)) in self.trigger_values()


class SurveyResponse(models.Model):
    """One completed questionnaire. ``respondent_key`` (a keyed hash of the WeChat user, or of
    the visit for per-visit surveys) makes the answer unique without naming anyone; an
    anonymous survey keeps nothing else of the respondent."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("问卷")
    )
    respondent_key = models.CharField(_("答卷人标识"), max_length=64, editable=False)
    follower = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("微信用户"),
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("就诊人"),
    )
    appointment = models.ForeignKey(
        "booking.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("预约"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("科室"),
    )
    doctor = models.ForeignKey(
        Doctor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("医生"),
    )
    answers = models.JSONField(_("答案"), default=dict)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="survey_one_response_per_respondent"
            )
        ]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class SurveyInvitation(models.Model):
    """An after-visit invitation sent: the denominator of the survey's response rate."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("问卷")
    )
    appointment = models.OneToOneField(
        "booking.Appointment",
        on_delete=models.CASCADE,
        related_name="survey_invitation",
        verbose_name=_("预约"),
    )
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("满意度调查邀请")
        verbose_name_plural = _("满意度调查邀请")


class SurveyPolicy(models.Model):
    """An institution's after-visit survey settings."""

    institution = models.OneToOneField(
        Institution,
        on_delete=models.CASCADE,
        related_name="survey_policy",
        verbose_name=_("机构"),
    )
    after_visit_hours = models.PositiveSmallIntegerField(
        _("就诊签到后几小时发送满意度调查"), default=2
    )
    tpl_after_visit = models.CharField(
        _("满意度调查模板ID"), max_length=64, blank=True, help_text=_("留空则不发送")
    )

    class Meta:
        verbose_name = _("满意度调查设置")
        verbose_name_plural = _("满意度调查设置")

    def __str__(self):
        return str(self.institution)

    @classmethod
    def for_institution(cls, institution) -> "SurveyPolicy":
        try:
            return institution.survey_policy
        except cls.DoesNotExist:
            return cls(institution=institution)
