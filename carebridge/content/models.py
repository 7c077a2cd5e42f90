"""Articles: hospital news, notices and health education (医院动态 in the About menu).

The editorial workflow (drafts, department proofreading, push calendar) comes in a later issue;
for now staff write and publish in the back office.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Institution


class ArticleCategory(models.TextChoices):
    NEWS = "news", _("新闻动态")
    NOTICE = "notice", _("通知公告")
    EDUCATION = "education", _("健康宣教")


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Visible to patients: published, and its publication time has come (staff may
        schedule an article by giving a future time)."""
        return self.filter(is_published=True, published_at__lte=now or timezone.now())


class Article(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="articles", verbose_name=_("机构")
    )
    category = models.CharField(_("栏目"), max_length=20, choices=ArticleCategory.choices)
    title = models.CharField(_("标题"), max_length=120)
    title_en = models.CharField(_("英文标题"), max_length=240, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    summary_en = models.CharField(_("英文摘要"), max_length=600, blank=True)
    body = models.TextField(_("正文"), help_text=_("纯文本,空行分段"))
    body_en = models.TextField(_("英文正文"), blank=True)
    cover = models.ImageField(_("封面"), upload_to="articles/%Y/%m/", blank=True)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    is_published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(
                fields=["institution", "category", "is_published", "-published_at"],
                name="content_article_listing",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_visible(self) -> bool:
        return self.is_published and self.published_at <= timezone.now()
