"""Answering a survey: one response per WeChat user (per visit for after-visit surveys),
however many times or however fast the form is sent."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.booking.models import Appointment, AppointmentStatus
from carebridge.patients.crypto import blind_index

from ..models import Survey, SurveyResponse
from ..survey_answers import read_answers

VISITED = (AppointmentStatus.CHECKED_IN, AppointmentStatus.CALLED)


class SurveyError(Exception):
    """Why an answer is refused (shown to the patient); ``errors`` names questions."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class AlreadyAnswered(SurveyError):
    pass


def respondent_key(survey: Survey, follower, appointment=None) -> str:
    """A keyed hash naming the respondent (or the visit) within the survey: unique per
    answer, and naming no one even when the survey is anonymous."""
    who = f"visit:{appointment.pk}" if survey.per_visit else f"user:{follower.pk}"
    return blind_index("survey", f"{survey.pk}:{who}")


def visits_of(follower):
    """The visits a user may rate: appointments they booked or booked for their patients,
    once checked in."""
    return Appointment.objects.of_follower(follower).filter(status__in=VISITED)


def has_answered(survey: Survey, follower, appointment=None) -> bool:
    key = respondent_key(survey, follower, appointment)
    return SurveyResponse.objects.filter(survey=survey, respondent_key=key).exists()


@transaction.atomic
def submit_response(survey: Survey, follower, data, appointment=None, now=None):
    """Record ``follower``'s answers (a QueryDict) to ``survey``. An after-visit survey needs
    one of the user's visits (``visits_of``) in the survey's institution. Raises SurveyError
    (closed, wrong visit, answers with errors) or AlreadyAnswered, having written nothing."""
    now = now or timezone.now()
    if not survey.is_open(now):
        raise SurveyError(_("该调查未开放或已结束"))
    if survey.per_visit:
        mine = appointment is not None and visits_of(follower).filter(pk=appointment.pk).exists()
        if not mine or appointment.session.institution_id != survey.institution_id:
            raise SurveyError(_("请从就诊后的满意度调查消息进入"))
    else:
        appointment = None
    answers, errors = read_answers(list(survey.questions.all()), data)
    if errors:
        raise SurveyError(_("请检查标出的题目"), errors)
    session = appointment.session if appointment else None
    response = SurveyResponse(
        survey=survey,
        respondent_key=respondent_key(survey, follower, appointment),
        answers=answers,
        submitted_at=now,
        department_id=session.department_id if session else None,
        doctor_id=session.doctor_id if session else None,
    )
    if not survey.anonymous:
        response.follower = follower
        response.appointment = appointment
        response.patient_id = appointment.patient_id if appointment else None
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:
        raise AlreadyAnswered(_("您已提交过这份问卷,感谢参与")) from exc
    return response
