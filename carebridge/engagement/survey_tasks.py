"""The outbox handler of after-visit surveys (run by ``carebridge worker``): the row
survey_notify.py queued becomes one template message, checked again when it runs."""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from carebridge.booking.models import Appointment
from carebridge.outbox.registry import handler
from carebridge.wechat.actions.messaging import TemplateMessage, send_templates
from carebridge.wechat.limits import LimitExceeded

from .actions.surveys import VISITED, has_answered
from .models import Survey, SurveyInvitation, SurveyPolicy
from .survey_notify import AFTER_VISIT_TOPIC, after_visit_data, survey_url


@handler(AFTER_VISIT_TOPIC)
@transaction.atomic  # the invitation and the template row together, or neither
def send_after_visit(message):
    appointment = (
        Appointment.objects.select_related(
            "session__institution",
            "session__department",
            "session__doctor",
            "patient__owner__account",
            "booked_by__account",
        )
        .filter(pk=message.payload["appointment_id"])
        .first()
    )
    if appointment is None or appointment.status not in VISITED:
        return {"after_visit": "not visited"}
    follower = appointment.booked_by or (appointment.patient.owner if appointment.patient else None)
    session = appointment.session
    template = SurveyPolicy.for_institution(session.institution).tpl_after_visit
    survey = Survey.objects.filter(institution=session.institution).after_visit_for(
        session.department_id
    )
    if follower is None or not template or survey is None:
        return {"after_visit": "nothing to send"}
    if has_answered(survey, follower, appointment):
        return {"after_visit": "answered already"}
    _invitation, made = SurveyInvitation.objects.get_or_create(
        appointment=appointment, defaults={"survey": survey}
    )
    if not made:  # a worker died after sending, before recording the row as sent
        return {"after_visit": "invited already"}
    with translation.override(settings.LANGUAGE_CODE):
        wechat = TemplateMessage(
            follower.openid,
            template,
            after_visit_data(appointment, survey),
            survey_url(follower.account.slug, survey.pk, appointment.pk),
        )
    (result,) = send_templates(follower.account, [wechat])
    if isinstance(result, LimitExceeded):
        return {"after_visit": f"refused: {result.code}"}
    return {"after_visit": "written", "survey": survey.pk}
