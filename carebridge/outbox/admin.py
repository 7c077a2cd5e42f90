from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage, OutboxStatus


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "topic"]
    search_fields = ["topic", "dedup_key", "last_error"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("立即重试失败的消息"))
    def retry_now(self, request, queryset):
        count = queryset.filter(status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, available_at=timezone.now(), claimed_at=None
        )
        self.message_user(request, _("已重新排队 %d 条消息") % count, messages.SUCCESS)
