"""满意度调查: the open surveys and polls, and one questionnaire (an after-visit survey is
opened from its WeChat message, naming the visit)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from carebridge.institutions.pages import institution_page, page_context
from carebridge.wechat.h5 import wechat_user_required

from ..actions import surveys as actions
from ..models import ConstitutionResult, Poll, Survey, SurveyInvitation, SurveyKind
from ..survey_answers import form_rows

# The after-visit surveys still to answer, newest first: a visit's message may be lost.
PENDING_SHOWN = 5


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def survey_list(request, slug):
    now = timezone.now()
    surveys = Survey.objects.open(now).filter(
        institution=request.institution, kind=SurveyKind.GENERAL
    )
    rows = [(s, actions.has_answered(s, request.follower)) for s in surveys]
    invitations = SurveyInvitation.objects.filter(
        appointment__in=actions.visits_of(request.follower),
        survey__in=Survey.objects.open(now),
    ).select_related("survey", "appointment__session__department")
    waiting = [
        i
        for i in invitations.order_by("-sent_at")[:PENDING_SHOWN]
        if not actions.has_answered(i.survey, request.follower, i.appointment)
    ]
    polls = Poll.objects.visible(now).filter(institution=request.institution)[:10]
    latest = ConstitutionResult.objects.of_account(request.follower).select_related("patient")
    context = page_context(
        request, slug=slug, surveys=rows, waiting=waiting, polls=polls, results=latest[:3]
    )
    return render(request, "engagement/surveys/list.html", context)


def _visit(request, survey):
    """The visit ``?visit=`` names, among the user's own checked-in visits (else 404: another
    account's visit is never found); None for a survey answered per user."""
    if not survey.per_visit:
        return None
    visit_id = request.GET.get("visit", "")
    if not visit_id.isdigit():
        raise Http404("an after-visit survey needs one of the user's visits")
    visit = (
        actions.visits_of(request.follower)
        .select_related("session__department", "session__doctor", "session")
        .filter(pk=int(visit_id), session__institution=request.institution)
        .first()
    )
    if visit is None:
        raise Http404("no such visit for this user")
    return visit


@institution_page
@wechat_user_required
@require_http_methods(["GET", "POST"])
def survey_detail(request, slug, survey_id):
    survey = get_object_or_404(
        Survey, pk=survey_id, institution=request.institution, is_published=True
    )
    visit = _visit(request, survey)
    questions = list(survey.questions.select_related("show_if"))
    answered = actions.has_answered(survey, request.follower, visit)
    context = page_context(
        request, slug=slug, survey=survey, visit=visit, questions=questions, answered=answered
    )
    context["open"] = survey.is_open()
    errors, status = {}, 200
    if request.method == "POST":
        try:
            actions.submit_response(survey, request.follower, request.POST, visit)
        except actions.AlreadyAnswered as exc:
            context.update(answered=True, error=str(exc))
            status = 409
        except actions.SurveyError as exc:
            context["error"], errors, status = str(exc), exc.errors, 400
        else:
            messages.success(request, _("提交成功,感谢您的参与"))
            return redirect(request.get_full_path())
    context["rows"] = form_rows(questions, request.POST, errors)
    return render(request, "engagement/surveys/survey.html", context, status=status)
