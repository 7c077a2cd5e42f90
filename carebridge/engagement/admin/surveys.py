"""Surveys in the back office: questionnaires with their questions, the results page (charts,
keywords, response rate, per department and doctor, Excel), the responses (audited when they
name a patient) and the after-visit settings."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin
from carebridge.patients.audited_admin import AuditedAdmin

from ..models import Question, Survey, SurveyPolicy, SurveyResponse
from ..survey_results import results_workbook, summarise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("position", "kind", "required"),
        ("text", "text_en"),
        ("choices", "rows"),
        ("show_if", "show_if_values"),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if":  # a condition on a question of the same survey
            survey_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Question.objects.filter(survey_id=survey_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Survey)
class SurveyAdmin(InstitutionScopedAdmin):
    list_display = [
        "title",
        "kind",
        "department",
        "opens_at",
        "closes_at",
        "is_published",
        "results_link",
    ]
    list_filter = ["kind", "is_published", "institution"]
    search_fields = ["title"]
    inlines = [QuestionInline]
    fields = [
        "institution",
        "kind",
        ("title", "title_en"),
        ("intro", "intro_en"),
        "department",
        "anonymous",
        ("opens_at", "closes_at"),
        "is_published",
    ]

    @admin.display(description=gettext_lazy("结果"))
    def results_link(self, obj):
        url = reverse("admin:engagement_survey_results", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("查看结果"))

    def get_urls(self):
        extra = [
            path(
                "<int:survey_id>/results/",
                self.admin_site.admin_view(self.results_view),
                name="engagement_survey_results",
            ),
            path(
                "<int:survey_id>/results.xlsx",
                self.admin_site.admin_view(self.results_xlsx),
                name="engagement_survey_results_xlsx",
            ),
        ]
        return extra + super().get_urls()

    def _survey(self, request, survey_id) -> Survey:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=survey_id)

    def results_view(self, request, survey_id):
        survey = self._survey(request, survey_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("调查结果:%(title)s") % {"title": survey.title},
            "results": summarise(survey),
        }
        return render(request, "admin/engagement/survey/results.html", context)

    def results_xlsx(self, request, survey_id):
        survey = self._survey(request, survey_id)
        response = HttpResponse(results_workbook(survey), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
        return response


@admin.register(SurveyResponse)
class SurveyResponseAdmin(AuditedAdmin):
    """Responses, read-only. One linked to a visit names its patient: opening it is audited;
    an anonymous one names nobody."""

    institution_path = "survey__institution"
    list_display = ["survey", "submitted_at", "department", "doctor", "respondent"]
    list_filter = ["survey"]
    list_select_related = ["survey", "department", "doctor", "patient"]
    fields = ["survey", "submitted_at", "department", "doctor", "respondent", "answers"]
    readonly_fields = fields

    def patient_of(self, obj):
        return obj.patient

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.patient_id is None:  # nobody to audit a look at
            return admin.ModelAdmin.change_view(self, request, object_id, form_url, extra_context)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=gettext_lazy("答卷人"))
    def respondent(self, obj):
        if obj.patient_id:
            return obj.patient.masked_name()
        return _("匿名") if obj.survey.anonymous else "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(InstitutionScopedAdmin):
    list_display = ["institution", "after_visit_hours", "tpl_after_visit"]
