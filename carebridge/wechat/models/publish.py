from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SUBMITTED = "submitted", _("发布中")
    PUBLISHED = "published", _("已发布")
    FAILED = "failed", _("失败")


# freepublish/get's and PUBLISHJOBFINISH's publish_status: 0 published, 1 publishing, the rest
# failures (5 and 6 come later, for an article already published).
PUBLISH_OUTCOMES = {
    0: _("发布成功"),
    1: _("发布中"),
    2: _("原创声明失败"),
    3: _("常规失败"),
    4: _("平台审核不通过"),
    5: _("成功后用户删除所有文章"),
    6: _("成功后系统封禁所有文章"),
}


class FreePublish(models.Model):
    """One article pushed to the account's own page (发表, "free publish"): its cover and inline
    pictures uploaded, a draft made (draft/add), the draft published (freepublish/submit), and
    the outcome recorded from PUBLISHJOBFINISH or a freepublish/get poll.

    The outbox carries it step by step (tasks.deliver_freepublish); each step's answer is saved
    before the next, so a retry after a crash goes on from where the last one stopped."""

    account = models.ForeignKey(
        "institutions.WeChatAccount", on_delete=models.CASCADE, verbose_name=_("公众号")
    )
    title = models.CharField(_("标题"), max_length=120)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    digest = models.CharField(_("摘要"), max_length=300, blank=True)
    # Sanitised HTML whose <img src> are our MEDIA_URL's; they become WeChat's own addresses.
    content = models.TextField(_("正文"))
    cover = models.CharField(_("封面文件"), max_length=255, blank=True)  # a storage name
    source_url = models.CharField(_("原文链接"), max_length=1024, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PublishStatus.choices, default=PublishStatus.QUEUED
    )
    thumb_media_id = models.CharField(_("封面素材ID"), max_length=128, blank=True)
    # Our picture address → WeChat's (media/uploadimg), so a retry uploads only what is missing.
    images = models.JSONField(_("正文图片"), default=dict, blank=True)
    media_id = models.CharField(_("草稿ID"), max_length=128, blank=True)
    # Set just before freepublish/submit: a retry that finds it set with no publish_id asks
    # WeChat whether the draft is still there before submitting it again.
    submitting_at = models.DateTimeField(_("提交发布时间"), null=True, blank=True)
    publish_id = models.CharField(_("发布任务ID"), max_length=64, blank=True, db_index=True)
    article_id = models.CharField(_("微信文章ID"), max_length=128, blank=True)
    article_url = models.CharField(_("微信文章链接"), max_length=1024, blank=True)
    report = models.JSONField(_("发布结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发表到公众号")
        verbose_name_plural = _("发表到公众号")
        ordering = ["-id"]

    def __str__(self):
        return self.title
