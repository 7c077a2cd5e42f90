"""After-visit satisfaction: N hours (the institution's SurveyPolicy) after a visit is checked
in, the patient's WeChat user gets a template message linking to the survey for that visit's
department and doctor, once.

Booking's ``appointment_checked_in`` arrives inside the check-in's transaction: the receiver
writes one delayed outbox row keyed by the appointment (a second check-in signal finds the key
taken), and the worker sends it when due (survey_tasks.py)."""

from datetime import timedelta

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.booking.signals import appointment_checked_in
from carebridge.outbox.actions import enqueue

from .models import SurveyPolicy

AFTER_VISIT_TOPIC = "engagement.after_visit_survey"
# An invitation WeChat could not take for this long after it was due is dropped (已过期), not
# sent late: a week on, the visit is too far back to ask about.
AFTER_VISIT_EXPIRES = timedelta(days=7)


def after_visit_key(appointment_id: int) -> str:
    return f"engagement.after_visit:{appointment_id}"


@receiver(appointment_checked_in, dispatch_uid="engagement.after_visit")
def queue_after_visit(sender, appointment, checked_in_at, **kwargs) -> None:
    """Nothing is queued when the institution has no template for it."""
    policy = SurveyPolicy.for_institution(appointment.session.institution)
    if not policy.tpl_after_visit:
        return
    due = checked_in_at + timedelta(hours=policy.after_visit_hours)
    enqueue(
        AFTER_VISIT_TOPIC,
        {"appointment_id": appointment.pk},
        after_visit_key(appointment.pk),
        available_at=due,
        expires_at=due + AFTER_VISIT_EXPIRES,
    )


def survey_url(account_slug: str, survey_id: int, appointment_id: int) -> str:
    path = reverse("engagement:survey", kwargs={"slug": account_slug, "survey_id": survey_id})
    return f"{settings.SITE_URL}{path}?visit={appointment_id}"


def after_visit_data(appointment, survey) -> dict:
    session = appointment.session
    doctor = session.doctor.name if session.doctor_id else ""
    when = timezone.localtime(appointment.checked_in_at).strftime("%Y-%m-%d %H:%M")
    return {
        "first": {"value": _("感谢您来院就诊,请为本次服务评价")},
        "keyword1": {"value": appointment.masked_patient_name},
        "keyword2": {"value": " ".join(filter(None, [session.department.name, doctor]))},
        "keyword3": {"value": when},
        "keyword4": {"value": survey.title},
        "remark": {"value": _("点击填写满意度调查,约需 1 分钟")},
    }
