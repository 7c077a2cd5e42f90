"""Articles in the back office: the list and form (scoped to the user's departments), the
workflow page of each article and the diff between two of its versions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from ..actions import WorkflowError, publish_articles, save_article, unpublish_articles
from ..admin_forms import ArticleForm, ArticleImageForm
from ..choices import ArticleState
from ..models import Article, ArticleImage
from .progress_page import progress_view
from .scoping import editor_departments, is_operations, visible_articles
from .workflow_page import WorkflowPage


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    form = ArticleImageForm
    extra = 1
    fields = ["image", "caption"]


@admin.register(Article)
class ArticleAdmin(InstitutionScopedAdmin):
    form = ArticleForm
    inlines = [ArticleImageInline]
    list_display = ["title", "kind", "category", "department", "state", "due_at", "claimed_by"]
    list_display += ["published_at", "workflow_link"]
    list_filter = ["state", "kind", "category", "is_published", "institution", "published_at"]
    search_fields = ["title", "title_en", "summary", "body", "tags", "author"]
    list_select_related = ["institution", "department", "claimed_by"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_by", "state", "due_at", "claimed_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "institution", "kind", "category", "department", "title", "summary",
                    "cover", "body", "tags", "author", "created_by",
                ]
            },
        ),
        (_("流程"), {"fields": ["state", "due_at", "claimed_by"]}),
        (_("发布设置"), {"fields": ["is_published", "published_at"]}),
        (
            _("英文版"),
            {"fields": ["title_en", "summary_en", "body_en"], "classes": ["collapse"]},
        ),
    ]  # fmt: skip

    def get_queryset(self, request):
        return visible_articles(request, super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        # Only operations publish: editors' forms have no publication settings.
        fieldsets = super().get_fieldsets(request, obj)
        if self._operations(request, obj):
            return fieldsets
        return [fs for fs in fieldsets if fs[1]["fields"] != ["is_published", "published_at"]]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "department" and not self._operations(request, None):
            field.queryset = field.queryset.filter(pk__in=editor_departments(request.user))
            field.required = True
        return field

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or self._operations(request, obj):
            return True
        return obj.state == ArticleState.DRAFT and obj.department_id in {
            d["department_id"] for d in editor_departments(request.user)
        }

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not (request.user.is_superuser or request.user.has_perm("content.review_article")):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    def save_model(self, request, obj, form, change):
        try:
            save_article(request.user, obj, form.changed_data)
        except WorkflowError as error:
            raise PermissionDenied(error.message) from error

    def _operations(self, request, obj):
        if obj is None:
            return request.user.is_superuser or request.user.has_perm("content.review_article")
        return is_operations(request.user, obj)

    @admin.display(description=_("流程"))
    def workflow_link(self, article):
        url = reverse("admin:content_article_workflow", args=[article.pk])
        return format_html('<a href="{}">{}</a>', url, _("流程与版本"))

    def get_urls(self):
        page = WorkflowPage(self)
        extra = [
            path(
                "<int:article_id>/workflow/",
                self.admin_site.admin_view(page.view),
                name="content_article_workflow",
            ),
            path(
                "<int:article_id>/diff/<int:old>/<int:new>/",
                self.admin_site.admin_view(page.diff),
                name="content_article_diff",
            ),
            path(
                "progress/",
                self.admin_site.admin_view(lambda r: progress_view(self, r)),
                name="content_article_progress",
            ),
            path(
                "progress.xlsx",
                self.admin_site.admin_view(lambda r: progress_view(self, r, excel=True)),
                name="content_article_progress_xlsx",
            ),
        ]
        return extra + super().get_urls()

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


def article_for(admin_, request, article_id):
    return get_object_or_404(admin_.get_queryset(request), pk=article_id)
