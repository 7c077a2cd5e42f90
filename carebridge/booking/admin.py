"""Back office: schedules and templates, sessions with their pools, suspensions, appointments,
the day's queue per doctor, no-shows and waiting times. Writes go through actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin
from carebridge.lib.money import YuanAdmin, yuan_column
from carebridge.patients.audit import log_access
from carebridge.patients.choices import AccessAction

from . import actions
from .errors import BookingError
from .models import (
    Appointment,
    AppointmentStatus,
    BookingBan,
    BookingPolicy,
    CancelledBy,
    ClinicSession,
    ClosedDay,
    DailyJobRun,
    NoShow,
    ScheduleTemplate,
    SessionQuota,
    WaitRecord,
)
from .models.schedules import QUOTA_FIELDS

SESSION_FIELDS = [
    "institution",
    "department",
    "doctor",
    "date",
    "period",
    "clinic_type",
    "start_time",
    "end_time",
    "fee",
    "fee_payment",
    "capacity",
    *QUOTA_FIELDS.values(),
]


@admin.register(BookingPolicy)
class BookingPolicyAdmin(InstitutionScopedAdmin):
    list_display = [
        "institution",
        "release_days_ahead",
        "release_time",
        "cancel_before_minutes",
        "no_show_limit",
    ]
    fieldsets = [
        (
            _("放号与取消"),
            {
                "fields": [
                    "institution",
                    "release_days_ahead",
                    "release_time",
                    "cancel_before_minutes",
                    "fee_pay_minutes",
                ]
            },
        ),
        (
            _("防黄牛限制"),
            {
                "fields": [
                    "patient_daily_limit",
                    "patient_weekly_limit",
                    "account_daily_limit",
                    "account_weekly_limit",
                ]
            },
        ),
        (_("爽约"), {"fields": ["no_show_limit", "no_show_window_days", "no_show_ban_days"]}),
        (_("排队"), {"fields": ["turn_near_ahead", "default_consultation_minutes"]}),
        (
            _("微信模板消息"),
            {
                "fields": [
                    "tpl_booking_confirmed",
                    "tpl_booking_cancelled",
                    "tpl_visit_reminder",
                    "tpl_suspension",
                    "tpl_turn_near",
                    "tpl_doctor_notice",
                ]
            },
        ),
    ]


FEE_LABEL = _("挂号费(元)")


@admin.register(ScheduleTemplate)
class ScheduleTemplateAdmin(YuanAdmin, InstitutionScopedAdmin):
    yuan_fields = {"fee": FEE_LABEL}
    list_display = [
        "__str__",
        "department",
        "clinic_type",
        "start_time",
        "end_time",
        "fee_yuan",
        "capacity",
        "weeks_ahead",
        "is_active",
    ]
    list_filter = ["institution", "department", "weekday", "period", "is_active"]
    list_select_related = ["department", "doctor"]
    actions = ["generate"]
    fee_yuan = yuan_column("fee", _("挂号费"))

    @admin.action(description=_("按所选模板生成出诊"))
    def generate(self, request, queryset):
        created = actions.generate_sessions(queryset)
        self.message_user(request, _("已生成 %d 个出诊") % len(created), messages.SUCCESS)


@admin.register(ClosedDay)
class ClosedDayAdmin(InstitutionScopedAdmin):
    list_display = ["date", "institution", "reason"]
    list_filter = ["institution"]


class PoolInline(admin.TabularInline):
    model = SessionQuota
    fields = ["channel", "capacity", "booked"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SessionForm(forms.ModelForm):
    class Meta:
        model = ClinicSession
        fields = SESSION_FIELDS

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            for channel, field in QUOTA_FIELDS.items():
                booked = self.instance.pools.get(channel=channel).booked
                if data.get(field) is not None and data[field] < booked:
                    self.add_error(field, _("已约出 %d 个,不能少于此数") % booked)
        return data


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("停诊原因"), max_length=200)


@admin.register(ClinicSession)
class ClinicSessionAdmin(YuanAdmin, InstitutionScopedAdmin):
    form = SessionForm
    yuan_fields = {"fee": FEE_LABEL}
    list_display = [
        "date",
        "period",
        "department",
        "doctor",
        "clinic_type",
        "fee_yuan",
        "capacity",
        "status",
        "queue_link",
    ]
    list_filter = ["status", "period", "clinic_type", "department", "institution"]
    list_select_related = ["department", "doctor"]
    date_hierarchy = "date"
    search_fields = ["doctor__name", "department__name"]
    actions = ["suspend"]
    fee_yuan = yuan_column("fee", _("挂号费"))

    def get_inlines(self, request, obj):
        return [PoolInline] if obj else []  # pools are created with the session

    def get_readonly_fields(self, request, obj=None):
        # Slots are cut when the session is created; afterwards only the pools can move.
        if obj is None:
            return ["status"]
        fixed = [f for f in SESSION_FIELDS if f not in QUOTA_FIELDS.values()]
        return [("fee_yuan" if f == "fee" else f) for f in fixed] + [
            "status",
            "suspension_reason",
        ]

    def get_exclude(self, request, obj=None):
        return ["fee"] if obj else []  # shown in yuan as fee_yuan

    def save_model(self, request, obj, form, change):
        if change:
            quotas = {c: form.cleaned_data[f] for c, f in QUOTA_FIELDS.items()}
            actions.set_quotas(ClinicSession.objects.get(pk=obj.pk), quotas)
        else:
            fields = {f: form.cleaned_data[f] for f in SESSION_FIELDS}
            obj.pk = actions.create_session(**fields).pk

    @admin.display(description=_("排队"))
    def queue_link(self, obj):
        url = reverse("admin:booking_clinicsession_queue", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("今日排队"))

    @admin.action(description=_("停诊并通知已预约患者"))
    def suspend(self, request, queryset):
        if "apply" in request.POST:
            form = SuspendForm(request.POST)
            if form.is_valid():
                done = 0
                for session in queryset:
                    try:
                        actions.suspend_session(session, form.cleaned_data["reason"])
                        done += 1
                    except BookingError as exc:
                        self.message_user(request, f"{session}: {exc.message}", messages.WARNING)
                self.message_user(request, _("已停诊 %d 个出诊") % done, messages.SUCCESS)
                return None
        else:
            form = SuspendForm()
        return render(
            request,
            "admin/booking/suspend.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "sessions": queryset,
                "opts": self.model._meta,
                "title": _("停诊"),
            },
        )

    def get_urls(self):
        extra = [
            path(
                "<int:session_id>/queue/",
                self.admin_site.admin_view(self.queue_view),
                name="booking_clinicsession_queue",
            )
        ]
        return extra + super().get_urls()

    def queue_view(self, request, session_id):
        """The day's queue of one session: call next, mark no-shows."""
        session = get_object_or_404(self.get_queryset(request), pk=session_id)
        if request.method == "POST":
            try:
                if request.POST.get("do") == "call_next":
                    called = actions.call_next(session)
                    self.message_user(request, _("请 %d 号就诊") % called.queue_number)
                elif request.POST.get("do") == "no_show":
                    appointment = get_object_or_404(
                        Appointment, pk=request.POST.get("appointment"), session=session
                    )
                    actions.mark_no_show(appointment)
                    self.message_user(request, _("已记为爽约"))
            except BookingError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            return redirect(request.path)
        from .queries import session_queue

        appointments = session.appointments.select_related("patient", "slot").order_by(
            "queue_number"
        )
        return render(
            request,
            "admin/booking/queue.html",
            {
                **self.admin_site.each_context(request),
                "session": session,
                "appointments": appointments,
                "queue": session_queue(session),
                "opts": self.model._meta,
                "title": _("排队叫号"),
                "now": timezone.now(),
            },
        )


class AppointmentAdminBase(InstitutionScopedAdmin):
    institution_path = "session__institution"
    list_display = [
        "visit_date",
        "session",
        "queue_number",
        "masked_patient",
        "channel",
        "status",
        "payment_status",
        "booked_at",
    ]
    list_filter = [
        "status",
        "channel",
        "payment_status",
        "session__period",
        "session__department",
        "session__doctor",
        "session__institution",
    ]
    list_select_related = ["session__department", "session__doctor", "patient"]
    date_hierarchy = "session__date"
    search_fields = ["session__doctor__name", "session__department__name"]
    # Personal data stays masked here (a walk-in's name too): a full view of the patient is
    # audited in patients.
    exclude = ["patient", "walk_in_name", "person_key", "checkin_code", "fee"]  # fee: as fee_yuan
    readonly_fields = [
        "session",
        "slot",
        "queue_number",
        "masked_patient",
        "booked_by",
        "channel",
        "api_client",
        "status",
        "fee_yuan",
        "payment_status",
        "booked_at",
        "checked_in_at",
        "called_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "no_show_at",
        "reminder_sent_at",
        "turn_near_sent_at",
    ]

    fee_yuan = yuan_column("fee", _("挂号费"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # appointments keep their history

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening one appointment shows whom a doctor sees, and when: the look is audited like
        opening the patient (lists show masked names only and are not)."""
        appointment = self.get_object(request, unquote(object_id))
        if appointment is not None and appointment.patient_id:
            log_access(
                request,
                [appointment.patient],
                AccessAction.VIEW,
                detail=f"booking admin appointment {appointment.pk}",
                reason=request.GET.get("reason", ""),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("就诊日期"), ordering="session__date")
    def visit_date(self, obj):
        return obj.session.date

    @admin.display(description=_("就诊人"))
    def masked_patient(self, obj):
        return obj.masked_patient_name


@admin.register(Appointment)
class AppointmentAdmin(AppointmentAdminBase):
    actions = ["cancel", "mark_no_show"]

    @admin.action(description=_("取消所选预约(工作人员)"))
    def cancel(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda a: actions.cancel_appointment(a, by=CancelledBy.STAFF, reason=str(request.user)),
        )

    @admin.action(description=_("记为爽约"))
    def mark_no_show(self, request, queryset):
        self._apply(request, queryset, actions.mark_no_show)

    def _apply(self, request, queryset, action):
        done = 0
        for appointment in queryset.select_related("session__institution", "slot"):
            try:
                action(appointment)
                done += 1
            except BookingError as exc:
                self.message_user(request, f"{appointment}: {exc.message}", messages.WARNING)
        self.message_user(request, _("已处理 %d 条") % done, messages.SUCCESS)


@admin.register(NoShow)
class NoShowAdmin(AppointmentAdminBase):
    list_display = [
        "visit_date",
        "session",
        "queue_number",
        "masked_patient",
        "booked_by",
        "channel",
        "no_show_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=AppointmentStatus.NO_SHOW)


@admin.register(BookingBan)
class BookingBanAdmin(InstitutionScopedAdmin):
    list_display = ["follower", "institution", "no_shows", "starts_at", "ends_at"]
    list_filter = ["institution"]
    readonly_fields = ["follower", "institution", "no_shows", "starts_at"]
    list_select_related = ["follower", "institution"]

    def has_add_permission(self, request):
        return False


@admin.register(WaitRecord)
class WaitRecordAdmin(InstitutionScopedAdmin):
    list_display = [
        "date",
        "department",
        "doctor",
        "channel",
        "checked_in_at",
        "called_at",
        "wait_minutes",
    ]
    list_filter = ["department", "channel", "institution"]
    list_select_related = ["department", "doctor"]
    date_hierarchy = "date"

    @admin.display(description=_("等候(分钟)"), ordering="wait_seconds")
    def wait_minutes(self, obj):
        return obj.wait_minutes

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DailyJobRun)
class DailyJobRunAdmin(admin.ModelAdmin):
    """When each daily job (reminders, generation, housekeeping) last ran, and how it went."""

    list_display = ["day", "job", "started_at", "finished_at", "attempts", "failed", "result"]
    list_filter = ["job", "failed"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
