"""Articles: hospital news, notices, health education and About pages (医院动态)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Department, Institution

from ..choices import ArticleCategory, ArticleKind, ArticleState


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Visible to patients: published, and its publication time has come (a scheduled
        article has a future time)."""
        return self.filter(is_published=True, published_at__lte=now or timezone.now())


class Article(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="articles", verbose_name=_("机构")
    )
    kind = models.CharField(_("栏目"), max_length=20, choices=ArticleKind.choices)
    category = models.CharField(
        _("分类"),
        max_length=20,
        choices=ArticleCategory.choices,
        help_text=_("留空则根据正文建议一个分类,由编辑确认"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("供稿科室"),
    )
    title = models.CharField(_("标题"), max_length=120)
    title_en = models.CharField(_("英文标题"), max_length=240, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    summary_en = models.CharField(_("英文摘要"), max_length=600, blank=True)
    # Sanitised HTML (sanitise.py) on every write, and again when shown.
    body = models.TextField(_("正文"))
    body_en = models.TextField(_("英文正文"), blank=True)
    cover = models.ImageField(_("封面"), upload_to="articles/%Y/%m/", blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("用逗号分隔"))
    author = models.CharField(_("作者"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    is_published = models.BooleanField(_("已发布"), default=False)
    # The workflow (actions/workflow.py): where the article is, by when the step is due, and
    # who is reviewing it now (a claim that lapses, so an abandoned review frees itself).
    state = models.CharField(
        _("状态"), max_length=20, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    due_at = models.DateTimeField(_("本步期限"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    claim_expires_at = models.DateTimeField(_("审核占用至"), null=True, blank=True)
    push_after_publish = models.BooleanField(_("发布后推送"), default=False)
    # A doctor-profile update (kind DOCTOR_PROFILE): the doctor and the proposed field values,
    # applied when the update is published (actions/profiles.py).
    doctor = models.ForeignKey(
        "institutions.Doctor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="profile_updates",
        verbose_name=_("医生"),
    )
    doctor_changes = models.JSONField(_("医生信息修改"), default=dict, blank=True)
    # Counters kept by actions/engagement.py with F() updates (no lost increments); reads
    # are counted in memory first and written every few seconds (reads.py).
    reads = models.PositiveIntegerField(_("阅读数"), default=0, editable=False)
    likes = models.PositiveIntegerField(_("点赞数"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-id"]
        permissions = [
            ("draft_article", _("撰写并提交本科室稿件")),
            ("proofread_article", _("审校本科室稿件")),
            ("review_article", _("审核评分并安排发布")),
        ]
        indexes = [
            models.Index(fields=["institution", "state", "due_at"], name="content_article_work"),
            models.Index(
                fields=["institution", "kind", "is_published", "-published_at"],
                name="content_article_listing",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_visible(self) -> bool:
        return self.is_published and self.published_at <= timezone.now()

    def claimed_by_other(self, user, now=None) -> bool:
        """Someone else is reviewing it and their claim has not lapsed."""
        now = now or timezone.now()
        return bool(
            self.claimed_by_id
            and self.claimed_by_id != user.pk
            and self.claim_expires_at
            and self.claim_expires_at > now
        )

    def is_overdue(self, now=None) -> bool:
        return bool(self.due_at and self.due_at < (now or timezone.now()))

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace(",", ",").split(",") if t.strip()]


class ArticleImage(models.Model):
    """A picture for an article's body, re-encoded on upload (images.py); the body refers to
    it by its URL."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="images", verbose_name=_("文章")
    )
    image = models.ImageField(_("图片"), upload_to="articles/%Y/%m/body/")
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("正文图片")
        verbose_name_plural = _("正文图片")

    def __str__(self):
        return self.caption or self.image.name


class ArticleLike(models.Model):
    """One WeChat user's like of an article: at most one (the constraint), withdrawn by a
    second tap."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    follower = models.ForeignKey("wechat.Follower", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("点赞")
        verbose_name_plural = _("点赞")
        constraints = [
            models.UniqueConstraint(fields=["article", "follower"], name="article_like_once")
        ]
