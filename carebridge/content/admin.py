"""Back office for articles (news, notices, health education, About pages)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from .actions import publish_articles, unpublish_articles
from .admin_forms import ArticleForm, ArticleImageForm
from .models import Article, ArticleImage


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    form = ArticleImageForm
    extra = 1
    fields = ["image", "caption"]


@admin.register(Article)
class ArticleAdmin(InstitutionScopedAdmin):
    form = ArticleForm
    inlines = [ArticleImageInline]
    list_display = ["title", "kind", "category", "department", "institution", "published_at"]
    list_display += ["is_published"]
    list_filter = ["kind", "category", "is_published", "institution", "published_at"]
    search_fields = ["title", "title_en", "summary", "body", "tags", "author"]
    list_select_related = ["institution", "department"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "institution",
                    "kind",
                    "category",
                    "department",
                    "title",
                    "summary",
                    "cover",
                    "body",
                    "tags",
                    "author",
                    "created_by",
                ]
            },
        ),
        (_("发布设置"), {"fields": ["is_published", "published_at"]}),
        (
            _("英文版"),
            {"fields": ["title_en", "summary_en", "body_en"], "classes": ["collapse"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

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
