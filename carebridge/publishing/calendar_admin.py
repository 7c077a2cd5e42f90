"""The calendar page (运营日历): a month of occasions with their suggestions, last year's
articles, and the mass sends of the month against WeChat's quota. Thin: it reads input,
calls actions and shows their refusals as form errors (HTTP 400)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin, Scope
from carebridge.institutions.models import Institution

from .actions.plans import PlanRefused, plan_push
from .actions.sends import SendRefused, cancel_planned_send, plan_mass_send, preview_planned_send
from .forms import PlanForm, SendForm, parse_month
from .models import PlannedSend, PushPlan
from .month import build_month
from .sends_page import month_sends


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


def _errors_into(form, refusal) -> None:
    for field, errors in refusal.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


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
        extra = {**(extra_context or {}), "calendar_url": reverse("admin:publishing_calendar")}
        return super().changelist_view(request, extra)

    def calendar_view(self, request):
        if not request.user.has_perm("publishing.view_pushplan"):
            raise PermissionDenied
        institution = institution_of(request)
        today = timezone.localdate()
        wanted = request.GET.get("month") or f"{today.year}-{today.month:02d}"
        year_month = parse_month(wanted)
        if year_month is None:
            return HttpResponseBadRequest(_("参数 month 应为“年-月”，如 2026-04"))
        forms = {"plan_form": None, "send_form": None}
        if request.method == "POST":
            do = request.POST.get("do", "plan")
            handlers = {
                "plan": self._plan,
                "send": self._send,
                "preview": self._preview,
                "cancel": self._cancel,
            }
            if do not in handlers:
                return HttpResponseBadRequest(_("参数 do 不正确"))
            done = handlers[do](request, institution, forms)
            if done:
                return redirect(f"{request.path}?month={wanted}")
        month = build_month(institution, *year_month, today=today)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext_lazy("运营日历"),
            "institution": institution,
            "month": month,
            **forms,
            "form": forms["plan_form"],
            "departments": PlanForm(institution).fields["department"].queryset,
            "can_plan": request.user.has_perm("publishing.add_pushplan"),
            "can_send": request.user.has_perm("publishing.add_plannedsend"),
            "new_send_form": forms["send_form"] or SendForm(institution),
            **month_sends(institution, *year_month),
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "admin/publishing/calendar.html", context, status=status)

    def _plan(self, request, institution, forms) -> bool:
        if not request.user.has_perm("publishing.add_pushplan"):
            raise PermissionDenied
        form = forms["plan_form"] = PlanForm(institution, request.POST)
        if not form.is_valid():
            return False
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
            _errors_into(form, exc)
            return False
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
        return True

    def _send(self, request, institution, forms) -> bool:
        if not request.user.has_perm("publishing.add_plannedsend"):
            raise PermissionDenied
        form = forms["send_form"] = SendForm(institution, request.POST)
        if not form.is_valid():
            return False
        data = form.cleaned_data
        try:
            planned = plan_mass_send(
                institution,
                account=data["account"],
                title=data["title"],
                msgtype=data["msgtype"],
                content=form.content_body(),
                segment=data["segment"],
                tag_id=data["tag_id"],
                scene=data["scene"],
                due_at=data["due_at"],
                plan=data["plan"],
                user=request.user,
            )
        except SendRefused as exc:
            _errors_into(form, exc)
            return False
        self.message_user(
            request,
            _("已计划群发《%(title)s》，预览已发给工作人员，将于 %(at)s 提交")
            % {"title": planned.mass.title, "at": timezone.localtime(planned.due_at)},
            messages.SUCCESS,
        )
        return True

    def _one_send(self, request, institution) -> PlannedSend:
        if not request.user.has_perm("publishing.change_plannedsend"):
            raise PermissionDenied
        return get_object_or_404(
            PlannedSend, institution=institution, pk=_int(request.POST.get("send"))
        )

    def _preview(self, request, institution, forms) -> bool:
        planned = self._one_send(request, institution)
        try:
            preview_planned_send(planned)
        except SendRefused as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("预览已重新发给工作人员"), messages.SUCCESS)
        return True

    def _cancel(self, request, institution, forms) -> bool:
        planned = self._one_send(request, institution)
        try:
            cancel_planned_send(planned)
        except SendRefused as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("已取消，本月配额已释放"), messages.SUCCESS)
        return True


def _int(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else 0
