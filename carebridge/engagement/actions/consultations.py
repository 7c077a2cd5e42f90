"""Consultations' writes: a question received (from a chat message or the H5 form), staff's
reply, note, transfer and close, and the patient's "still need a person".

Every caller (the WeChat router action, the H5 views, the back office) goes through these.
Bad input raises ValidationError naming the field and writes nothing."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.institutions.models import Department
from carebridge.outbox.actions import enqueue_once
from carebridge.wechat.actions.messaging import send_custom_message, send_template
from carebridge.wechat.limits import LimitExceeded

from .. import consult_embedding, consult_faq, consult_photos, consult_routing, consult_sla
from ..models import (
    Consultation,
    ConsultMessage,
    ConsultPhoto,
    ConsultPolicy,
    ConsultStatus,
    MessageKind,
    RoutedBy,
    RoutingExample,
)

QUESTION_MAX = 1000
REPLY_MAX = 1500  # a customer-service text carries 2,048 bytes; the link and heading need room
REMIND_TOPIC = "engagement.consult_remind"
ESCALATE_TOPIC = "engagement.consult_escalate"


@dataclass(frozen=True)
class Received:
    consultation: Consultation
    reply: str  # what the patient is told at once (chat reply, or the page's notice)


def detail_url(consultation: Consultation) -> str:
    path = reverse(
        "engagement:consultation",
        kwargs={"slug": consultation.account.slug, "consultation_id": consultation.pk},
    )
    return settings.SITE_URL + path


def _clean_text(text, field: str, limit: int) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({field: _("内容不能为空")})
    if len(text) > limit:
        raise ValidationError({field: _("最多 %(max)d 个字") % {"max": limit}})
    return text


def is_urgent(text: str, policy: ConsultPolicy) -> bool:
    return any(word in text for word in policy.urgent_word_list())


@transaction.atomic
def receive_question(
    account, follower, text, channel, patient=None, at=None, photos=()
) -> Received:
    """Record a patient's question: urgent words get the emergency reply and a flag (any
    hour); an approved FAQ close enough answers at once (marked automatic, no clock); anything
    else is routed (rules, similarity, else triage) and its SLA clock started."""
    text = _clean_text(text, "question", QUESTION_MAX)
    jpegs = consult_photos.clean_photos(photos)
    if patient is not None and patient.owner_id != follower.pk:
        raise ValidationError({"patient": _("请选择您自己账号下的就诊人")})
    at = at or timezone.now()
    institution = account.institution
    policy = ConsultPolicy.for_institution(institution)
    vector = consult_embedding.embed_one(text)
    urgent = is_urgent(text, policy)
    routing = consult_routing.router_for(institution).route(text, vector)
    faq, score = (None, 0.0) if urgent else consult_faq.best_faq(institution, vector)
    automatic = faq is not None and score >= policy.faq_threshold
    consultation = Consultation.objects.create(
        institution=institution,
        account=account,
        follower=follower,
        patient=patient,
        channel=channel,
        question=text,
        department_id=routing.department_id,
        routed_by=routing.routed_by,
        confidence=routing.confidence,
        status=ConsultStatus.AUTO if automatic else ConsultStatus.OPEN,
        urgent=urgent,
        faq=faq if automatic else None,
        vector=consult_embedding.to_bytes(vector),
        created_at=at,
    )
    ConsultMessage.objects.create(
        consultation=consultation, kind=MessageKind.QUESTION, text=text, created_at=at
    )
    ConsultPhoto.objects.bulk_create(
        ConsultPhoto(consultation=consultation, jpeg=jpeg, created_at=at) for jpeg in jpegs
    )
    link = f'<a href="{detail_url(consultation)}">%s</a>'
    if urgent:
        reply = policy.urgent_reply + "\n" + link % _("查看咨询")
        _auto(consultation, policy.urgent_reply, at)
    elif automatic:
        _auto(consultation, faq.answer, at)
        reply = _("【自动回复】") + faq.answer + "\n\n" + link % _("没有解决？点此转人工")
        return Received(consultation, reply)
    else:
        where = consultation.department.name if consultation.department else _("客服中心")
        reply = _("您的咨询已收到，已转%(where)s，我们会尽快回复。") % {"where": where}
        reply += "\n" + link % _("查看咨询")
    start_clock(consultation, policy, at)
    return Received(consultation, reply)


def _auto(consultation, text: str, at: datetime) -> None:
    ConsultMessage.objects.create(
        consultation=consultation, kind=MessageKind.AUTO, text=text, created_at=at
    )


def start_clock(consultation: Consultation, policy: ConsultPolicy, at: datetime) -> None:
    """Set the due time (working time only) and queue the reminder before it and the
    escalation at it; each runs only if the consultation still waits with that due time."""
    due = consult_sla.add_working_minutes(at, policy.sla_minutes, policy)
    remind = consult_sla.add_working_minutes(
        at, max(policy.sla_minutes - policy.reminder_minutes, 0), policy
    )
    consultation.clock_started_at, consultation.due_at = at, due
    consultation.reply_minutes = None  # a fresh clock: its first reply is timed anew
    consultation.save(update_fields=["clock_started_at", "due_at", "reply_minutes"])
    payload = {"consultation": consultation.pk, "due_at": due.isoformat()}
    key = f"{consultation.pk}:{due.isoformat()}"
    enqueue_once(REMIND_TOPIC, payload, f"{REMIND_TOPIC}:{key}", available_at=remind)
    enqueue_once(ESCALATE_TOPIC, payload, f"{ESCALATE_TOPIC}:{key}", available_at=due)


@transaction.atomic
def request_person(consultation: Consultation, at=None) -> bool:
    """The patient was not helped by the automatic answer: the question joins the department's
    (or triage's) queue with a fresh clock. Once only; False when it was not automatic."""
    at = at or timezone.now()
    moved = Consultation.objects.filter(pk=consultation.pk, status=ConsultStatus.AUTO).update(
        status=ConsultStatus.OPEN
    )
    if not moved:
        return False
    consultation.refresh_from_db()
    _event(consultation, None, _("患者要求人工回复"), at)
    start_clock(consultation, ConsultPolicy.for_institution(consultation.institution), at)
    return True


def _event(consultation, user, text: str, at=None, kind=MessageKind.EVENT) -> ConsultMessage:
    return ConsultMessage.objects.create(
        consultation=consultation,
        kind=kind,
        text=text,
        author=user,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def reply_consultation(consultation: Consultation, user, text, at=None) -> ConsultMessage:
    """Staff's answer: recorded, the consultation answered, its question kept as an example of
    its department for the similarity router, and the patient told: a customer-service message
    inside WeChat's window (and its per-trigger counts), else the template notice with a link
    to the answer page, else (no template set) the page alone."""
    text = _clean_text(text, "reply", REPLY_MAX)
    if consultation.status == ConsultStatus.CLOSED:
        raise ValidationError({"reply": _("咨询已关闭，不能回复")})
    at = at or timezone.now()
    message = _event(consultation, user, text, at, kind=MessageKind.REPLY)
    consultation.status = ConsultStatus.ANSWERED
    consultation.answered_at = at
    fields = ["status", "answered_at"]
    if consultation.reply_minutes is None and consultation.clock_started_at is not None:
        policy = ConsultPolicy.for_institution(consultation.institution)
        consultation.reply_minutes = consult_sla.working_minutes_between(
            consultation.clock_started_at, at, policy
        )
        fields.append("reply_minutes")
    consultation.save(update_fields=fields)
    _learn(consultation)
    message.delivered_via = _deliver(consultation, text)
    message.save(update_fields=["delivered_via"])
    return message


def _learn(consultation: Consultation) -> None:
    if consultation.department_id and consultation.vector:
        RoutingExample.objects.update_or_create(
            consultation=consultation,
            defaults={
                "institution_id": consultation.institution_id,
                "department_id": consultation.department_id,
                "vector": consultation.vector,
            },
        )


def _deliver(consultation: Consultation, text: str) -> str:
    account, openid = consultation.account, consultation.follower.openid
    url = detail_url(consultation)
    body = _("【%(name)s回复了您的咨询】") % {"name": consultation.institution.name}
    body += f'\n{text}\n<a href="{url}">' + _("查看详情") + "</a>"
    try:
        send_custom_message(account, openid, body)
        return "custom"
    except LimitExceeded:
        pass  # outside the 48-hour window, or its messages spent
    policy = ConsultPolicy.for_institution(consultation.institution)
    if not policy.tpl_consult_reply:
        return "page"
    data = {
        "first": _("您的咨询已有回复"),
        "keyword1": consultation.question[:20],
        "keyword2": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "remark": _("点击查看回复"),
    }
    try:
        send_template(account, openid, policy.tpl_consult_reply, data, url)
    except LimitExceeded:
        return "page"
    return "template"


@transaction.atomic
def add_note(consultation: Consultation, user, text) -> ConsultMessage:
    """An internal note: staff read it, the patient never does."""
    return _event(
        consultation, user, _clean_text(text, "note", QUESTION_MAX), kind=MessageKind.NOTE
    )


@transaction.atomic
def transfer_consultation(consultation: Consultation, user, department_id) -> None:
    """To another department of the same institution; the patient's due time stays."""
    department = Department.objects.filter(
        pk=department_id, institution_id=consultation.institution_id, is_active=True
    ).first()
    if department is None:
        raise ValidationError({"transfer_to": _("请选择本机构的科室")})
    if consultation.status == ConsultStatus.CLOSED:
        raise ValidationError({"transfer_to": _("咨询已关闭，不能转科")})
    before = consultation.department.name if consultation.department else _("分诊")
    consultation.department = department
    consultation.routed_by = RoutedBy.STAFF
    consultation.save(update_fields=["department", "routed_by"])
    _event(consultation, user, _("由%(a)s转至%(b)s") % {"a": before, "b": department.name})


@transaction.atomic
def close_consultation(consultation: Consultation, user) -> None:
    if consultation.status == ConsultStatus.CLOSED:
        return
    consultation.status = ConsultStatus.CLOSED
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["status", "closed_at"])
    _event(consultation, user, _("关闭咨询"))
