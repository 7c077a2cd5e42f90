"""Template messages of the booking app, sent through the WeChat layer's outbox
(``wechat.actions.messaging.send_template`` writes the row in the caller's transaction).

Each function is called inside the action's transaction; it sends nothing when the institution
has not configured that template, or when the patient has no WeChat account (a walk-in).

The booking confirmation is the exception: at release time the booking request only writes one
outbox row (``queue_confirmation``), and the worker writes the template message from it
(``actions.send_booking_confirmation``), so the rush's requests do not queue on the account's
daily template quota row."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import BookingPolicy

log = logging.getLogger("carebridge.booking")


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def _recipient(appointment):
    """The follower to tell: the account that owns the patient, else the one that booked."""
    if appointment.patient_id:
        return appointment.patient.owner
    return appointment.booked_by


def _link(follower, appointment) -> str:
    return settings.SITE_URL + reverse(
        "booking:appointment",
        kwargs={"slug": follower.account.slug, "appointment_id": appointment.pk},
    )


def _refused(template_field: str, appointment, exc) -> None:
    log.warning(
        "booking message %s for appointment %s not sent: %s", template_field, appointment.pk, exc
    )


def _send(appointment, template_field: str, data: dict, policy=None, expires_at=None) -> None:
    from carebridge.wechat.actions.messaging import send_template
    from carebridge.wechat.limits import LimitExceeded

    policy = policy or BookingPolicy.for_institution(appointment.session.institution)
    template_id = getattr(policy, template_field)
    follower = _recipient(appointment)
    if not template_id or follower is None:
        return
    try:
        # send_template checks WeChat's limits before it writes anything, so a refused message
        # (quota spent, template id mistyped) leaves the booking's transaction usable: it is
        # logged for staff and never undoes the booking it announces.
        send_template(
            follower.account,
            follower.openid,
            template_id,
            data,
            url=_link(follower, appointment),
            expires_at=expires_at,
        )
    except LimitExceeded as exc:
        _refused(template_field, appointment, exc)


def _where(session) -> str:
    """The department, and the doctor when the session has one (a department clinic's session
    is named after the department: said once)."""
    if session.doctor_id:
        return f"{session.department.name} {session.doctor.name}"
    return session.department.name


def _visit(appointment) -> dict:
    session = appointment.session
    start = timezone.localtime(appointment.slot.starts_at)
    return {
        "keyword1": {"value": appointment.patient_name},
        "keyword2": {"value": _where(session)},
        "keyword3": {"value": f"{date_format(session.date, 'DATE_FORMAT')} {start:%H:%M}"},
        "keyword4": {"value": str(appointment.queue_number)},
    }


CONFIRMATION_TOPIC = "booking.confirmed"


def queue_confirmation(appointment, policy) -> None:
    """In the booking's transaction: one outbox row, which the worker turns into the
    confirmation. Nothing is queued when there would be nothing to send."""
    from carebridge.outbox.actions import enqueue

    if wants_confirmation(appointment, policy):
        # A new appointment's id is unique already: no dedup key, so a single INSERT.
        enqueue(CONFIRMATION_TOPIC, {"appointment_id": appointment.pk})


def wants_confirmation(appointment, policy) -> bool:
    """Whether a new appointment is confirmed by message: the institution has the template, and
    there is a WeChat account to send it to (a walk-in has none)."""
    if not policy.tpl_booking_confirmed:
        return False
    return appointment.patient_id is not None or appointment.booked_by_id is not None


def _confirmation(appointment) -> dict:
    data = {"first": {"value": _("您已预约成功")}, **_visit(appointment)}
    data["remark"] = {
        "value": _("挂号费 %(fee)s 元,请按时到院签到") % {"fee": _yuan(appointment.fee)}
    }
    return data


def booking_confirmations(appointments) -> dict[int, str]:
    """The "booked" message of each appointment, written together: one ``send_templates`` per
    WeChat account, a few statements for them all. Returns each appointment's outcome: written;
    its status, when it no longer holds its place (cancelled before the worker came to it: a
    "booked" message would now mislead); nothing to send (no template, no WeChat account); or
    refused: a message WeChat's limits refused (quota spent, a bad openid…), logged for staff as
    every refused booking message is."""
    from carebridge.wechat.actions.messaging import TemplateMessage, send_templates
    from carebridge.wechat.limits import LimitExceeded

    outcomes = {}
    by_account: dict[int, list] = {}
    # Patients read these in Chinese: the account's language, whatever the request's.
    with translation.override(settings.LANGUAGE_CODE):
        for appointment in appointments:
            policy = BookingPolicy.for_institution(appointment.session.institution)
            follower = _recipient(appointment)
            if not appointment.is_holding:  # cancelled (or a no-show) before its turn came
                outcomes[appointment.pk] = appointment.status
            elif not policy.tpl_booking_confirmed or follower is None:
                outcomes[appointment.pk] = "nothing to send"
            else:
                message = TemplateMessage(
                    follower.openid,
                    policy.tpl_booking_confirmed,
                    _confirmation(appointment),
                    _link(follower, appointment),
                    # Not sent once the session is over (WeChat down until then).
                    expires_at=appointment.session.ends_at,
                )
                by_account.setdefault(follower.account_id, []).append(
                    (appointment, follower.account, message)
                )
    for batch in by_account.values():
        results = send_templates(batch[0][1], [message for _a, _account, message in batch])
        for (appointment, _account, _message), result in zip(batch, results, strict=True):
            if isinstance(result, LimitExceeded):
                _refused("tpl_booking_confirmed", appointment, result)
                outcomes[appointment.pk] = f"refused: {result.code}"
            else:
                outcomes[appointment.pk] = "written"
    return outcomes


def cancellation(appointment) -> None:
    """预约取消通知, in the cancellation's transaction (an outbox row, as every template message):
    who cancelled and, for a paid fee, that it will be refunded."""
    from .models import CancelledBy, PaymentStatus

    with translation.override(settings.LANGUAGE_CODE):
        data = {"first": {"value": _("您的预约已取消")}, **_visit(appointment)}
        if appointment.cancelled_by == CancelledBy.PATIENT:
            remark = _("号源已释放。如需就诊,请重新预约")
        else:
            remark = _("医院已为您取消本次预约")
            if appointment.cancel_reason and appointment.cancelled_by in (
                CancelledBy.SUSPENSION,
                CancelledBy.UNPAID,  # "未在支付期限内缴纳挂号费"
            ):
                remark += _(",原因:%(reason)s") % {"reason": _short(appointment.cancel_reason)}
        if appointment.payment_status == PaymentStatus.REFUND_DUE:
            remark += _("。已付挂号费 %(fee)s 元将原路退还") % {"fee": _yuan(appointment.fee)}
        data["remark"] = {"value": remark}
        _send(appointment, "tpl_booking_cancelled", data)


def visit_reminder(appointment) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        data = {"first": {"value": _("明天就诊提醒")}, **_visit(appointment)}
        data["remark"] = {"value": _("如不能按时就诊,请提前取消预约")}
        # A reminder is not sent once the visit has begun.
        _send(appointment, "tpl_visit_reminder", data, expires_at=appointment.slot.starts_at)


def _short(text: str, limit: int = 80) -> str:
    """A notice's text as a template field shows it: one line, trimmed, no closing stop."""
    text = " ".join(text.split()).rstrip("。.!！")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suspension(appointment, reason: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        data = {"first": {"value": _("停诊通知")}, **_visit(appointment)}
        data["remark"] = {
            "value": _("%(reason)s。点击查看并取消预约,已付挂号费将全额退还")
            % {"reason": _short(reason)}
        }
        _send(appointment, "tpl_suspension", data)


def doctor_notice(appointment, notice) -> None:
    """A visiting-expert (or other) notice about the doctor the patient is booked with."""
    with translation.override(settings.LANGUAGE_CODE):
        data = {"first": {"value": str(notice.get_kind_display())}, **_visit(appointment)}
        data["remark"] = {"value": _short(notice.text)}
        _send(appointment, "tpl_doctor_notice", data)


def turn_near(appointment, ahead: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        data = {"first": {"value": _("即将轮到您就诊")}, **_visit(appointment)}
        data["remark"] = {"value": _("您前面还有 %d 位患者,请到诊区候诊") % ahead}
        # "Your turn is near" is not sent once the session is over (its slots run late).
        _send(appointment, "tpl_turn_near", data, expires_at=appointment.session.ends_at)
