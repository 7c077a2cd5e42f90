"""Back office for articles (news, notices, health education)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from .actions import publish_articles, unpublish_articles
from .models import Article


@admin.register(Article)
class ArticleAdmin(InstitutionScopedAdmin):
    list_display = ["title", "category", "institution", "published_at", "is_published"]
    list_filter = ["category", "is_published", "institution", "published_at"]
    search_fields = ["title", "title_en", "summary", "body"]
    list_select_related = ["institution"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["institution", "category", "title", "summary", "cover", "body"]}),
        (_("发布设置"), {"fields": ["is_published", "published_at"]}),
        (
            _("英文版"),
            {"fields": ["title_en", "summary_en", "body_en"], "classes": ["collapse"]},
        ),
    ]

    @admin.action(description=_("立即发布所选文章"))
    def publish(self, request, queryset):
        count = publish_articles(queryset)
        self.message_user(
            request,
            ngettext("已发布 %(count)d 篇文章。", "已发布 %(count)d 篇文章。", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("撤回所选文章"))
    def unpublish(self, request, queryset):
        count = unpublish_articles(queryset)
        self.message_user(
            request,
            ngettext("已撤回 %(count)d 篇文章。", "已撤回 %(count)d 篇文章。", count)
            % {"count": count},
            messages.SUCCESS,
        )
