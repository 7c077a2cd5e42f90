from urllib.parse import urlsplit

import re2
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..messages import fold

# Regular expression rules are tried on messages up to this many characters: with RE2's
# linear-time matching that bounds the cost of each rule, whatever the pattern (no
# catastrophic backtracking can hold up the 5-second callback). Longer messages are no
# keyword commands; cutting them instead would make "$" match where the message does not end.
REGEX_INPUT_LIMIT = 2000
REGEX_MAX_MEMORY = 1 << 20  # bytes RE2 may use for one compiled pattern
NEWS_MAX_ARTICLES = 8  # WeChat's limit for a news reply (1 when answering a user's message)
# The router actions a rule may name, by name: filled by ``handlers.action`` as each registers
# (handlers.py says what an action is; a rule only checks that its name is one).
ACTIONS: dict = {}


class Trigger(models.TextChoices):
    KEYWORD = "keyword", _("关键词")
    SUBSCRIBE = "subscribe", _("关注欢迎语")
    CLICK = "click", _("菜单点击")
    DEFAULT = "default", _("默认回复")


class MatchType(models.TextChoices):
    EXACT = "exact", _("完全匹配")
    CONTAINS = "contains", _("包含")
    REGEX = "regex", _("正则表达式")


class ReplyType(models.TextChoices):
    TEXT = "text", _("文本")
    NEWS = "news", _("图文")
    ACTION = "action", _("功能")


def compile_regex(pattern: str):
    """The pattern compiled by RE2 (case-insensitive); raises ``re2.error`` if RE2 refuses it
    (back-references and look-arounds are not supported: they are what makes matching slow)."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = REGEX_MAX_MEMORY
    return re2.compile(pattern, options)


class AutoReply(models.Model):
    """A routing rule, edited in the back office: when <trigger> matches, answer with <reply>."""

    account = models.ForeignKey(
        "institutions.WeChatAccount",
        on_delete=models.CASCADE,
        related_name="auto_replies",
        verbose_name=_("公众号"),
    )
    trigger = models.CharField(_("触发"), max_length=20, choices=Trigger.choices)
    match_type = models.CharField(
        _("匹配方式"), max_length=20, choices=MatchType.choices, default=MatchType.EXACT
    )
    # Keyword for KEYWORD, menu key for CLICK, QR scene for SUBSCRIBE (blank: any follow).
    pattern = models.CharField(_("关键词/菜单键/场景"), max_length=200, blank=True)
    priority = models.IntegerField(_("优先级"), default=0, help_text=_("数字大的先匹配"))
    reply_type = models.CharField(
        _("回复类型"), max_length=20, choices=ReplyType.choices, default=ReplyType.TEXT
    )
    text = models.TextField(_("回复文本"), blank=True)
    articles = models.JSONField(
        _("图文"),
        default=list,
        blank=True,
        help_text=_('列表，每篇 {"title": …, "description": …, "picurl": …, "url": …}'),
    )
    action = models.CharField(_("功能"), max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("自动回复规则")
        verbose_name_plural = _("自动回复规则")
        ordering = ["-priority", "id"]
        indexes = [models.Index(fields=["account", "is_active"])]

    def __str__(self):
        return f"{self.get_trigger_display()} {self.pattern}".strip()

    def save(self, *args, **kwargs):
        # Forms call clean(); code that saves directly still cannot store a rule the router
        # could not compile.
        self.clean_pattern()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        for check in (self.clean_pattern, self.clean_reply):
            try:
                check()
            except ValidationError as exc:
                errors.update(exc.update_error_dict({}))
        if errors:
            raise ValidationError(errors)

    def clean_pattern(self):
        pattern = self.pattern
        if self.trigger == Trigger.KEYWORD:
            if not fold(pattern):
                raise ValidationError({"pattern": _("关键词规则需要填写关键词")})
            if self.match_type == MatchType.REGEX:
                try:
                    compile_regex(pattern)
                except re2.error as exc:
                    raise ValidationError(
                        {"pattern": _("正则表达式无效：%(error)s") % {"error": _re2_reason(exc)}}
                    ) from exc
        elif self.trigger == Trigger.CLICK:
            if not pattern or len(pattern.encode()) > 128:
                raise ValidationError({"pattern": _("菜单键必填，且不超过128字节")})
        elif self.trigger == Trigger.SUBSCRIBE:
            if len(pattern) > 64:
                raise ValidationError({"pattern": _("场景值不超过64个字符")})
        elif self.trigger == Trigger.DEFAULT and pattern:
            raise ValidationError({"pattern": _("默认回复不需要关键词")})

    def clean_reply(self):
        if self.reply_type == ReplyType.TEXT and not self.text.strip():
            raise ValidationError({"text": _("请填写回复文本")})
        if self.reply_type == ReplyType.NEWS:
            _check_articles(self.articles)
        if self.reply_type == ReplyType.ACTION and self.action not in ACTIONS:
            raise ValidationError({"action": _("请选择一个已注册的功能")})


def _check_articles(articles) -> None:
    if not isinstance(articles, list) or not 1 <= len(articles) <= NEWS_MAX_ARTICLES:
        raise ValidationError({"articles": _("图文回复需要1到8篇文章")})
    for article in articles:
        if not isinstance(article, dict) or not str(article.get("title", "")).strip():
            raise ValidationError({"articles": _("每篇文章都需要标题")})
        for field in ("url", "picurl"):
            value = article.get(field, "")
            if value and urlsplit(str(value)).scheme not in ("http", "https"):
                raise ValidationError({"articles": _("文章链接必须以 http:// 或 https:// 开头")})


def _re2_reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
