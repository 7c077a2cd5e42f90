"""The consultations' back office: each department's inbox (unanswered first, soonest due
first, with the time left), and on one consultation: reply (or pick a canned answer), add an
internal note, transfer, close. Department staff see their departments' consultations only;
operations see all and the triage queue. Opening one is audited like opening the patient."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin
from carebridge.institutions.models import Department
from carebridge.patients import audited_admin

from .. import consult_faq, consult_roles, consult_stats
from ..actions import consultations as actions
from ..models import (
    CannedAnswer,
    Consultation,
    ConsultMessage,
    ConsultPolicy,
    ConsultResponder,
    ConsultStatus,
    Faq,
    RoutingRule,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MessageInline(audited_admin.ReadOnlyInline):
    model = ConsultMessage
    fields = ("created_at", "kind", "text", "author", "delivered_via")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("engagement.view_consultation")


class HandleForm(forms.ModelForm):
    """What staff do on a consultation; the consultation's own fields are read-only."""

    canned = forms.ModelChoiceField(
        CannedAnswer.objects.none(), required=False, label=_("常用回复")
    )
    reply = forms.CharField(
        label=_("回复患者"), required=False, max_length=actions.REPLY_MAX, widget=forms.Textarea
    )
    note = forms.CharField(
        label=_("内部备注"), required=False, max_length=actions.QUESTION_MAX, widget=forms.Textarea
    )
    transfer_to = forms.ModelChoiceField(
        Department.objects.none(), required=False, label=_("转至科室")
    )
    close = forms.BooleanField(label=_("关闭咨询"), required=False)

    class Meta:
        model = Consultation
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        c = self.instance
        self.fields["transfer_to"].queryset = Department.objects.filter(
            institution_id=c.institution_id, is_active=True
        ).exclude(pk=c.department_id)
        self.fields["canned"].queryset = CannedAnswer.objects.filter(
            institution_id=c.institution_id
        ).filter(Q(department=None) | Q(department_id=c.department_id))

    def clean(self):
        data = super().clean()
        if data.get("canned") and not data.get("reply"):
            data["reply"] = data["canned"].text
        if (data.get("reply") or data.get("transfer_to")) and (
            self.instance.status == ConsultStatus.CLOSED
        ):
            raise forms.ValidationError(_("咨询已关闭"))
        return data


@admin.register(Consultation)
class ConsultationAdmin(audited_admin.AuditedAdmin):
    form = HandleForm
    inlines = [MessageInline]
    list_display = (
        "id",
        "urgent",
        "status",
        "department",
        "masked_patient",
        "routed_by",
        "time_left",
        "created_at",
        "escalated_at",
    )
    # Operations' queues: routed_by "待分诊" (triage) and escalated (overdue).
    list_filter = (
        "status",
        "urgent",
        "routed_by",
        ("escalated_at", admin.EmptyFieldListFilter),
        "department",
        "channel",
    )
    readonly_fields = (
        "question",
        "status",
        "department",
        "routed_by",
        "confidence",
        "urgent",
        "channel",
        "masked_patient",
        "created_at",
        "due_at",
        "time_left",
        "reminded_at",
        "escalated_at",
        "answered_at",
        "faq",
        "photos",
    )
    fieldsets = (
        (None, {"fields": readonly_fields}),
        (_("处理"), {"fields": ("canned", "reply", "note", "transfer_to", "close")}),
    )

    def patient_of(self, obj):
        return obj.patient

    def has_add_permission(self, request):
        return False  # consultations come from patients

    @admin.display(description=_("就诊人"))
    def masked_patient(self, obj):
        return obj.patient.masked_name() if obj.patient else "—"

    @admin.display(description=_("照片"))
    def photos(self, obj):
        """Inline (data: URIs): the page showing them is the audited change page."""
        return (
            format_html_join(
                " ",
                '<img src="data:image/jpeg;base64,{}" alt="" style="max-width:240px">',
                ((p.jpeg,) for p in obj.photos.all()),
            )
            or "—"
        )

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("department", "patient")
        return consult_roles.limit(rows, request.user).inbox_order()

    @admin.display(description=_("剩余时间"))
    def time_left(self, obj):
        minutes = obj.minutes_left()
        if minutes is None:
            return "—"
        if minutes < 0:
            return _("已超时 %(h)d小时%(m)d分") % {"h": -minutes // 60, "m": -minutes % 60}
        return _("%(h)d小时%(m)d分") % {"h": minutes // 60, "m": minutes % 60}

    def get_urls(self):
        extra = [
            path(
                "stats/",
                self.admin_site.admin_view(self.stats_view),
                name="engagement_consultation_stats",
            ),
        ]
        return extra + super().get_urls()

    def stats_view(self, request):
        """Per department for a period (default: last month): the counts and the keywords;
        as a workbook with ?format=xlsx. Scoped like the inbox."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = consult_stats.PeriodForm(request.GET)  # bound even when empty: the defaults
        rows, period = None, None
        if form.is_valid():
            period = (form.cleaned_data["start"], form.cleaned_data["end"])
            rows = consult_stats.department_stats(self.get_queryset(request), *period)
            if request.GET.get("format") == "xlsx":
                book = consult_stats.stats_workbook(rows, *period)
                response = HttpResponse(book, content_type=XLSX)
                name = f"consultations-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}.xlsx"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("咨询统计"),
            "form": form,
            "rows": rows,
            "period": period,
            "columns": consult_stats.COLUMNS,
            "sample": consult_stats.SAMPLE,
        }
        status = 400 if form.errors else 200
        return render(request, "admin/engagement/consultation/stats.html", context, status=status)

    def save_model(self, request, obj, form, change):
        data, user = form.cleaned_data, request.user
        if data.get("note"):
            actions.add_note(obj, user, data["note"])
        if data.get("transfer_to"):
            actions.transfer_consultation(obj, user, data["transfer_to"].pk)
        if data.get("reply"):
            actions.reply_consultation(obj, user, data["reply"])
        if data.get("close"):
            actions.close_consultation(obj, user)


@admin.register(ConsultPolicy)
class ConsultPolicyAdmin(InstitutionScopedAdmin):
    list_display = ("institution", "sla_minutes", "faq_threshold", "route_threshold")


@admin.register(RoutingRule)
class RoutingRuleAdmin(InstitutionScopedAdmin):
    list_display = ("department", "keywords", "weight")
    list_filter = ("department",)


@admin.register(Faq)
class FaqAdmin(InstitutionScopedAdmin):
    list_display = ("key", "question", "approved")
    list_filter = ("approved",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        consult_faq.refresh_vector(obj)


@admin.register(CannedAnswer)
class CannedAnswerAdmin(InstitutionScopedAdmin):
    list_display = ("title", "department")


@admin.register(ConsultResponder)
class ConsultResponderAdmin(InstitutionScopedAdmin):
    institution_path = "staff__institution"
    list_display = ("staff", "department", "follower")
    list_select_related = ("staff__user", "department", "follower")
    # An id, checked against the staff member's institution (ConsultResponder.clean): a
    # drop-down would list every follower of every account.
    raw_id_fields = ("follower",)
