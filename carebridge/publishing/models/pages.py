from django.db import models
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Institution


class AccountPagePost(models.Model):
    """A published article pushed to a WeChat account's own page (draft → freepublish): which
    article, which account, and wechat's FreePublish that carries it (status, error, URL)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("机构")
    )
    article = models.ForeignKey(
        "content.Article",
        on_delete=models.CASCADE,
        related_name="page_posts",
        verbose_name=_("文章"),
    )
    account = models.ForeignKey(
        "institutions.WeChatAccount", on_delete=models.CASCADE, verbose_name=_("公众号")
    )
    publish = models.OneToOneField(
        "wechat.FreePublish", on_delete=models.PROTECT, related_name="+", verbose_name=_("发表")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发表到公众号主页")
        verbose_name_plural = _("发表到公众号主页")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "account"], name="publishing_page_post")
        ]

    def __str__(self):
        return self.article.title
