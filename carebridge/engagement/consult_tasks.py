"""Outbox handlers of consultations' SLA: the reminder before the due time and the escalation to
operations at it. Each acts only if the consultation still waits with the due time it was
queued for (answered, closed or re-clocked since: nothing to do), and only once.

Besides the inbox's flag, the responders concerned who are linked to a follower of the
account get a WeChat template message, when the institution has set one
(``ConsultPolicy.tpl_staff_alert``). It names the department and the due time, never the
question: what a patient asked is read in the audited back office, not in a chat."""

import logging
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from carebridge.outbox.registry import handler
from carebridge.wechat.actions.messaging import TemplateMessage, send_templates
from carebridge.wechat.limits import LimitExceeded

from .actions.consultations import ESCALATE_TOPIC, REMIND_TOPIC
from .models import (
    Consultation,
    ConsultMessage,
    ConsultPolicy,
    ConsultResponder,
    ConsultStatus,
    MessageKind,
)

log = logging.getLogger("carebridge.engagement")


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
    consultation = Consultation.objects.select_related("department").get(
        pk=message.payload["consultation"]
    )
    # A consultation still in triage has no department yet: operations are reminded.
    sent = alert_staff(consultation, consultation.department_id, _("有一条咨询即将超时,请尽快回复"))
    return {"reminded": True, "staff_alerted": sent}


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
    consultation = Consultation.objects.select_related("department").get(
        pk=message.payload["consultation"]
    )
    sent = alert_staff(consultation, None, _("有一条咨询已超时未回复,已升级至运营"))
    return {"escalated": True, "staff_alerted": sent}


def alert_staff(consultation, department_id, first: str) -> int:
    """The template message to the responders of ``department_id`` (None: operations) linked to
    a subscribed follower; returns how many were queued. Refusals (the day's quota, an account
    that may not send templates) are logged: the inbox's flag is there regardless."""
    template_id = ConsultPolicy.for_institution(consultation.institution).tpl_staff_alert
    if not template_id:
        return 0
    responders = ConsultResponder.objects.filter(
        staff__institution_id=consultation.institution_id,
        department_id=department_id,
        follower__subscribed=True,
        follower__account__institution_id=consultation.institution_id,
    ).select_related("follower__account")
    department = consultation.department.name if consultation.department else _("分诊")
    due = date_format(timezone.localtime(consultation.due_at), "DATETIME_FORMAT")
    url = settings.SITE_URL + reverse(
        "admin:engagement_consultation_change", args=[consultation.pk]
    )
    data = {"first": first, "keyword1": department, "keyword2": due}
    by_account = defaultdict(list)
    for responder in responders:
        follower = responder.follower
        by_account[follower.account].append(
            TemplateMessage(follower.openid, template_id, data, url)
        )
    sent = 0
    for account, messages in by_account.items():
        for result in send_templates(account, messages):
            if isinstance(result, LimitExceeded):
                log.warning("consultation %s: staff alert not sent: %s", consultation.pk, result)
            else:
                sent += 1
    return sent
