"""Back office for institutions, campuses, departments, doctors and their notices."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .actions import set_notices_published
from .admin_scoping import InstitutionScopedAdmin
from .models import (
    Campus,
    Department,
    Doctor,
    DoctorNotice,
    Institution,
    StaffMember,
    WeChatAccount,
)


class WeChatAccountInline(admin.TabularInline):
    model = WeChatAccount
    extra = 0


class CampusInline(admin.StackedInline):
    model = Campus
    extra = 0
    fields = ["name", "name_en", "address", "latitude", "longitude", "phone", "position"]
    show_change_link = True


@admin.register(Institution)
class InstitutionAdmin(InstitutionScopedAdmin):
    list_display = ["name", "slug", "kind", "region_type", "phone", "is_active"]
    list_filter = ["kind", "region_type", "is_active"]
    search_fields = ["name", "name_en", "slug"]
    inlines = [CampusInline, WeChatAccountInline]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", "kind", "region_type", "is_active"]}),
        (_("介绍"), {"fields": ["introduction", "introduction_en", "phone", "website"]}),
    ]

    def has_add_permission(self, request):
        # A new tenant is created by a superuser; staff edit their own institution only.
        return request.user.is_superuser and super().has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        # The slug is in URLs and is_active switches the tenant off: operator decisions.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["slug", "kind", "region_type", "is_active"]


@admin.register(WeChatAccount)
class WeChatAccountAdmin(InstitutionScopedAdmin):
    list_display = ["name", "slug", "institution", "account_type", "verified"]
    list_filter = ["account_type", "verified", "institution"]
    search_fields = ["name", "slug", "original_id"]
    list_select_related = ["institution"]

    def get_readonly_fields(self, request, obj=None):
        # The slug is the callback URL and the credentials' key: an operator decision.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["institution", "slug", "original_id", "account_type", "verified"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "institution"]
    list_filter = ["institution"]
    search_fields = ["user__username", "institution__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "institution"]

    # Who works for which institution is the operator's decision, whatever staff permissions.
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Campus)
class CampusAdmin(InstitutionScopedAdmin):
    list_display = ["name", "institution", "address", "latitude", "longitude", "phone", "position"]
    list_filter = ["institution"]
    list_editable = ["position"]
    search_fields = ["name", "name_en", "address"]
    list_select_related = ["institution"]
    fieldsets = [
        (None, {"fields": ["institution", "name", "name_en", "position"]}),
        (_("位置"), {"fields": ["address", "address_en", ("latitude", "longitude"), "phone"]}),
        (
            _("来院信息"),
            {
                "fields": [
                    "opening_hours",
                    "opening_hours_en",
                    "transport",
                    "transport_en",
                    "nearby",
                    "nearby_en",
                ]
            },
        ),
    ]


@admin.register(Department)
class DepartmentAdmin(InstitutionScopedAdmin):
    list_display = ["name", "name_en", "campus", "location", "position", "is_active"]
    list_filter = ["is_active", "institution", "campus"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "name_en", "name_pinyin", "name_initials"]
    list_select_related = ["campus"]
    fields = [
        "institution",
        "campus",
        ("name", "name_en"),
        ("location", "location_en"),
        "introduction",
        "introduction_en",
        ("position", "is_active"),
    ]


@admin.register(Doctor)
class DoctorAdmin(InstitutionScopedAdmin):
    list_display = ["photo_thumb", "name", "title", "department_names", "is_active"]
    list_display_links = ["photo_thumb", "name"]
    list_filter = ["is_active", "institution", "departments", "title"]
    search_fields = ["name", "name_en", "name_pinyin", "name_initials", "specialty"]
    filter_horizontal = ["departments"]
    fields = [
        "institution",
        ("name", "name_en"),
        ("title", "title_en"),
        "photo",
        "departments",
        "specialty",
        "specialty_en",
        "introduction",
        "introduction_en",
        "is_active",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departments")

    @admin.display(description=_("照片"))
    def photo_thumb(self, doctor):
        if not doctor.photo:
            return "—"
        return format_html('<img src="{}" alt="" style="height:40px">', doctor.photo.url)

    @admin.display(description=_("科室"))
    def department_names(self, doctor):
        return "、".join(d.name for d in doctor.departments.all())


@admin.register(DoctorNotice)
class DoctorNoticeAdmin(InstitutionScopedAdmin):
    list_display = ["kind", "doctor", "department", "starts_on", "ends_on", "is_published"]
    list_filter = ["kind", "is_published", "institution", ("starts_on", admin.DateFieldListFilter)]
    search_fields = ["text", "doctor__name", "department__name"]
    list_select_related = ["doctor", "department"]
    date_hierarchy = "starts_on"
    fields = [
        "institution",
        "kind",
        ("doctor", "department"),
        ("starts_on", "ends_on"),
        "text",
        "text_en",
        "is_published",
        "announced_at",
    ]
    readonly_fields = ["announced_at"]
    actions = ["publish", "withdraw"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._announce(request, [obj])

    @admin.action(description=_("发布所选通知"))
    def publish(self, request, queryset):
        self._report(request, set_notices_published(queryset, True))
        self._announce(request, queryset.filter(is_published=True, announced_at=None))

    def _announce(self, request, notices):
        """A newly published notice goes to the patients already booked (once per notice);
        a suspension also suspends the sessions it covers."""
        from carebridge.booking.actions import announce_notice

        for notice in notices:
            if not notice.is_published or notice.announced_at is not None:
                continue
            done = announce_notice(notice)
            message = _("%(notice)s:停诊 %(sessions)d 个出诊,已通知 %(patients)d 位已预约患者。")
            self.message_user(request, message % {"notice": notice, **done}, messages.INFO)

    @admin.action(description=_("撤回所选通知"))
    def withdraw(self, request, queryset):
        self._report(request, set_notices_published(queryset, False))

    def _report(self, request, count):
        message = ngettext("%(count)d 条通知已更新。", "%(count)d 条通知已更新。", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
