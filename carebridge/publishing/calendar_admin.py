"""The calendar page (运营日历): a month of occasions with their suggestions, last year's
articles and this month's mass-send quota. Thin: it reads input and calls actions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin, Scope
from carebridge.institutions.models import Institution

from .actions.plans import PlanRefused, plan_push
from .forms import PlanForm, parse_month
from .models import PushPlan
from .month import build_month


def institution_of(request) -> Institution:
    """The institution whose calendar this is: the staff member's own; a superuser picks one
    with ?institution= (else the first)."""
    scope = Scope(request)
    if scope.everything:
        wanted = request.GET.get("institution") or request.POST.get("institution") or ""
        found = Institution.objects.filter(pk=wanted).first() if wanted.isdigit() else None
        found = found or Institution.objects.order_by("pk").first()
    else:
        found = Institution.objects.filter(pk=scope.institution_id).first()
    if found is None:
        raise PermissionDenied
    return found


@admin.register(PushPlan)
class PushPlanAdmin(InstitutionScopedAdmin):
    list_display = ["occasion_name", "occasion_date", "topic", "department", "due_date", "article"]
    list_filter = ["institution", "department"]
    list_select_related = ["department", "article"]
    search_fields = ["topic", "occasion_name"]
    date_hierarchy = "occasion_date"
    readonly_fields = ["occasion_key", "occasion_name", "occasion_date", "article", "created_by"]

    def has_add_permission(self, request):
        return False  # plans are made on the calendar page, from an occasion

    def get_urls(self):
        view = self.admin_site.admin_view(self.calendar_view)
        return [path("calendar/", view, name="publishing_calendar"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "calendar_url": reverse("admin:publishing_calendar"),
        }
        return super().changelist_view(request, extra_context)

    def calendar_view(self, request):
        if not request.user.has_perm("publishing.view_pushplan"):
            raise PermissionDenied
        institution = institution_of(request)
        today = timezone.localdate()
        wanted = request.GET.get("month") or f"{today.year}-{today.month:02d}"
        year_month = parse_month(wanted)
        if year_month is None:
            return HttpResponseBadRequest(_("参数 month 应为“年-月”，如 2026-04"))
        form, status = None, 200
        if request.method == "POST":
            if not request.user.has_perm("publishing.add_pushplan"):
                raise PermissionDenied
            form = PlanForm(institution, request.POST)
            if form.is_valid():
                try:
                    plan = plan_push(
                        institution,
                        occasion_key=form.cleaned_data["occasion"],
                        year=form.cleaned_data["year"],
                        topic=form.cleaned_data["topic"],
                        department=form.cleaned_data["department"],
                        due_date=form.cleaned_data["due_date"],
                        user=request.user,
                    )
                except PlanRefused as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    self.message_user(
                        request,
                        _("已为“%(occasion)s”创建草稿《%(title)s》，交%(department)s撰写")
                        % {
                            "occasion": plan.occasion_name,
                            "title": plan.topic,
                            "department": plan.department.name,
                        },
                        messages.SUCCESS,
                    )
                    return redirect(f"{request.path}?month={wanted}")
            status = 400
        month = build_month(institution, *year_month, today=today)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext_lazy("运营日历"),
            "institution": institution,
            "month": month,
            "form": form,
            "departments": PlanForm(institution).fields["department"].queryset,
            "can_plan": request.user.has_perm("publishing.add_pushplan"),
        }
        return render(request, "admin/publishing/calendar.html", context, status=status)
