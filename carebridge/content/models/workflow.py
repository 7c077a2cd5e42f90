"""The editorial workflow, per institution: who writes for which department, how long each step
may take, the review rubric, and what happened to each article (versions, events, reviews)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Department, Institution, StaffMember

from ..choices import ArticleState, EditorialRole


class EditorialPolicy(models.Model):
    """An institution's workflow settings; ``for_institution`` gives the defaults when it has
    none."""

    institution = models.OneToOneField(
        Institution,
        on_delete=models.CASCADE,
        related_name="editorial_policy",
        verbose_name=_("机构"),
    )
    proofread_days = models.PositiveSmallIntegerField(_("审校期限(天)"), default=3)
    review_days = models.PositiveSmallIntegerField(_("审核期限(天)"), default=2)
    claim_minutes = models.PositiveSmallIntegerField(
        _("审核占用时长(分钟)"), default=30, help_text=_("审核人认领后,他人在此期间不能审核")
    )
    tpl_workflow = models.CharField(
        _("流程提醒模板ID"),
        max_length=64,
        blank=True,
        help_text=_("留空则只在后台通知,不发微信消息"),
    )

    class Meta:
        verbose_name = _("编辑流程设置")
        verbose_name_plural = _("编辑流程设置")

    def __str__(self):
        return str(self.institution)

    @classmethod
    def for_institution(cls, institution) -> "EditorialPolicy":
        policy = cls.objects.filter(institution=institution).first()
        return policy or cls(institution=institution)


class RubricCriterion(models.Model):
    """One line of the review rubric (accuracy, readability, layout, timeliness…)."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="rubric_criteria",
        verbose_name=_("机构"),
    )
    name = models.CharField(_("评分项"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("审核评分项")
        verbose_name_plural = _("审核评分项")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class EditorialMember(models.Model):
    """A staff member's part in the workflow: editor or head of a department, or operations
    (any department). The role's permission is checked too (choices.ROLE_PERMISSION)."""

    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="editorial_roles",
        verbose_name=_("工作人员"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=EditorialRole.choices)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("科室")
    )
    # The follower this staff member is on the account: workflow steps reach them by WeChat.
    follower = models.ForeignKey(
        "wechat.Follower",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联粉丝"),
    )

    class Meta:
        verbose_name = _("编辑成员")
        verbose_name_plural = _("编辑成员")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "role", "department"], name="editorial_member_unique"
            )
        ]

    def __str__(self):
        return f"{self.staff.user} · {self.get_role_display()}"


class ArticleVersion(models.Model):
    """The article as it was submitted at one step: one row per submitted change."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=120)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    body_en = models.TextField(_("英文正文"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("文章版本")
        verbose_name_plural = _("文章版本")
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_number")
        ]

    def __str__(self):
        return f"{self.article_id} v{self.number}"


class ArticleEvent(models.Model):
    """One workflow step taken: who moved the article from which state to which, why, and
    whether the step was done by its due date."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(max_length=20, choices=ArticleState.choices)
    to_state = models.CharField(max_length=20, choices=ArticleState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("原因/意见"), blank=True)
    on_time = models.BooleanField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["article", "at", "id"]


class Review(models.Model):
    """Operations' review of a submitted version: a score per rubric criterion and comments."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Percentage of the rubric's total (so months with different rubrics compare).
    score = models.DecimalField(_("得分(百分制)"), max_digits=5, decimal_places=1)
    comments = models.TextField(_("审核意见"), blank=True)
    on_time = models.BooleanField(_("按时提交"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("审核评分")
        verbose_name_plural = _("审核评分")


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("分数"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_score_unique")
        ]


class Notification(models.Model):
    """The back office's notification list of one staff user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="content_notifications",
        verbose_name=_("接收人"),
    )
    article = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("文章")
    )
    text = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="content_notification_unread")]
