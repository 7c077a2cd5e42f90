from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage, OutboxStatus


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "alert", "topic"]
    search_fields = ["topic", "dedup_key", "last_error"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now", "dismiss_alert"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("立即重试失败的消息"))
    def retry_now(self, request, queryset):
        # A fresh retry period, and the alert is dealt with.
        count = queryset.filter(status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING,
            available_at=timezone.now(),
            claimed_at=None,
            failing_since=None,
            alert=False,
        )
        self.message_user(request, _("已重新排队 %d 条消息") % count, messages.SUCCESS)

    @admin.action(description=_("标记告警为已处理（不再重试）"))
    def dismiss_alert(self, request, queryset):
        count = queryset.filter(alert=True).update(alert=False)
        self.message_user(request, _("已处理 %d 条告警") % count, messages.SUCCESS)
