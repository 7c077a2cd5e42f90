"""Back office of the push calendar: health days, events and settings, scoped to the staff
member's institution. The calendar page itself is a view of PushPlanAdmin (calendar_admin.py)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from . import calendar_admin  # noqa: F401  (registers PushPlan and the calendar page)
from .actions.pages import retry_page_posts
from .models import AccountPagePost, CalendarSettings, HealthDay, InstitutionEvent, PlannedSend


@admin.register(HealthDay)
class HealthDayAdmin(InstitutionScopedAdmin):
    list_display = ["name", "kind", "when", "topic", "is_active", "institution"]
    list_filter = ["kind", "is_active", "institution"]
    search_fields = ["name", "name_en", "topic"]
    fieldsets = [
        (None, {"fields": ["institution", "name", "name_en", "topic", "is_active"]}),
        (
            _("日期规则"),
            {
                "fields": ["kind", "month", "day", "end_month", "end_day", "nth", "weekday"],
                "description": _(
                    "固定日期填“月、日”；“某月第几个星期几”填“月、第几个、星期”（如世界肾脏日："
                    "3月第二个星期四）；宣传周填开始的“月、日”和“结束月、结束日”。"
                ),
            },
        ),
    ]

    @admin.display(description=_("日期"))
    def when(self, obj):
        if obj.kind == "nth_weekday":
            return f"{obj.month}月 {obj.get_nth_display()}{obj.get_weekday_display()}"
        if obj.kind == "span":
            return f"{obj.month}-{obj.day} – {obj.end_month}-{obj.end_day}"
        return f"{obj.month}-{obj.day}"


@admin.register(InstitutionEvent)
class InstitutionEventAdmin(InstitutionScopedAdmin):
    list_display = ["title", "date", "end_date", "every_year", "institution"]
    list_filter = ["every_year", "institution"]
    search_fields = ["title", "topic"]
    date_hierarchy = "date"


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(InstitutionScopedAdmin):
    list_display = ["institution", "lead_days", "mass_protection"]


@admin.register(PlannedSend)
class PlannedSendAdmin(InstitutionScopedAdmin):
    """The record of planned sends. They are planned, previewed and cancelled on the calendar
    page, where the quota is checked, so here they are read only."""

    list_display = ["title", "due_at", "segment", "period", "status", "submitted_at", "account"]
    list_filter = ["status", "segment", "institution"]
    list_select_related = ["mass", "account"]
    date_hierarchy = "due_at"
    search_fields = ["mass__title"]

    @admin.display(description=_("群发标题"), ordering="mass__title")
    def title(self, obj):
        return obj.mass.title

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountPagePost)
class AccountPagePostAdmin(InstitutionScopedAdmin):
    """Published articles on the accounts' own pages: where each stands, WeChat's reason when
    it failed, and a way to push a failed one again once the cause is fixed."""

    list_display = ["article", "account", "status", "error", "link", "created_at"]
    list_filter = ["publish__status", "account", "institution"]
    list_select_related = ["article", "account", "publish"]
    search_fields = ["article__title"]
    actions = ["retry"]

    @admin.display(description=_("状态"), ordering="publish__status")
    def status(self, obj):
        return obj.publish.get_status_display()

    @admin.display(description=_("错误"))
    def error(self, obj):
        return obj.publish.error

    @admin.display(description=_("微信文章链接"))
    def link(self, obj):
        url = obj.publish.article_url
        return format_html('<a href="{}" rel="noopener">{}</a>', url, _("查看")) if url else "-"

    @admin.action(description=_("重新发表失败的文章"))
    def retry(self, request, queryset):
        count = retry_page_posts(queryset)
        self.message_user(request, _("已重新排队发表 %(count)d 篇") % {"count": count})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
