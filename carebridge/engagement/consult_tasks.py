"""Outbox handlers of consultations' SLA: the reminder before the due time and the escalation to
operations at it. Each acts only if the consultation still waits with the due time it was
queued for (answered, closed or re-clocked since: nothing to do), and only once."""

from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.outbox.registry import handler

from .actions.consultations import ESCALATE_TOPIC, REMIND_TOPIC
from .models import Consultation, ConsultMessage, ConsultStatus, MessageKind


def _waiting(payload: dict):
    return Consultation.objects.filter(
        pk=payload["consultation"], status=ConsultStatus.OPEN, due_at=payload["due_at"]
    )


@handler(REMIND_TOPIC)
def remind(message):
    """The department sees the flag (and the time left) at the top of its inbox."""
    if not _waiting(message.payload).filter(reminded_at=None).update(reminded_at=timezone.now()):
        return {"skipped": "answered, re-clocked or reminded"}
    ConsultMessage.objects.create(
        consultation_id=message.payload["consultation"],
        kind=MessageKind.EVENT,
        text=_("即将超时：已提醒科室"),
    )
    return {"reminded": True}


@handler(ESCALATE_TOPIC)
def escalate(message):
    """Overdue: operations' queue shows it (escalated), whatever its department."""
    if not _waiting(message.payload).filter(escalated_at=None).update(escalated_at=timezone.now()):
        return {"skipped": "answered, re-clocked or escalated"}
    ConsultMessage.objects.create(
        consultation_id=message.payload["consultation"],
        kind=MessageKind.EVENT,
        text=_("已超时：升级至运营"),
    )
    return {"escalated": True}
