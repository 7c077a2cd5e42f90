"""Each staff user's notification list: the workflow steps waiting for them."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..actions import notify
from ..models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["text", "article_link", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    actions = ["mark_read"]

    def get_queryset(self, request):
        # One's own notifications only, superusers included.
        return super().get_queryset(request).filter(user=request.user).select_related("article")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("文章"))
    def article_link(self, notification):
        url = reverse("admin:content_article_workflow", args=[notification.article_id])
        return format_html('<a href="{}">{}</a>', url, notification.article.title)

    @admin.action(description=_("标为已读"), permissions=["view"])
    def mark_read(self, request, queryset):
        notify.mark_read(request.user, queryset)
