"""Mass sends planned on the calendar. They build on wechat's mass sends
(draft_mass_send → preview_mass_send → submit_mass_send; the worker's deliver_mass sends with
a clientmsgid; mass_finished records MASSSENDJOBFINISH). This module adds the plan: the quota
counted ahead, the segment, the staff preview, and the submission at the due time."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.institutions.models import WeChatAccount
from carebridge.outbox.actions import enqueue
from carebridge.wechat.actions.messaging import draft_mass_send, preview_mass_send, submit_mass_send
from carebridge.wechat.limits import LimitExceeded
from carebridge.wechat.models import Follower

from ..models import CalendarSettings, PlannedSend, PlannedSendStatus, Segment
from ..quota import usage

SUBMIT_TOPIC = "publishing.submit_send"
# wechat's refusals (LimitExceeded codes) → the plan form's field they are about.
FIELD_OF = {
    "mass_title": "title",
    "mass_type": "msgtype",
    "mass_content": "content",
    "mass_empty": "content",
    "mass_openids": "scene",
    "mass_target": "segment",
    "preview_openid": "preview",
}


class SendRefused(ValidationError):
    """A planned send that cannot be made or changed; ``message_dict`` names the field."""


def scene_openids(account, scene: str) -> list[str]:
    """Followers who came from the QR scene ``scene`` and still follow."""
    return sorted(
        Follower.objects.filter(account=account, subscribed=True, source_scene=scene).values_list(
            "openid", flat=True
        )
    )


def _preview_openids(institution) -> list[str]:
    settings = CalendarSettings.objects.filter(institution=institution).first()
    return [o for o in (settings.preview_openids if settings else []) if isinstance(o, str) and o]


@transaction.atomic
def plan_mass_send(
    institution,
    *,
    account: WeChatAccount,
    title: str,
    msgtype: str,
    content: dict,
    segment: str,
    due_at: datetime,
    tag_id: int | None = None,
    scene: str = "",
    plan=None,
    user=None,
    now: datetime | None = None,
) -> PlannedSend:
    """Plan a mass send for ``due_at``: refused (SendRefused naming the field, nothing written)
    when the quota of ``due_at``'s month (day, for a subscription account) would be exceeded
    counting sends made and planned, when the segment is empty or unclear, or when no staff
    member is set to receive the preview. Otherwise it is previewed to those staff at once and
    the outbox submits it at ``due_at``."""
    now = now or timezone.now()
    if account.institution_id != institution.pk:
        raise SendRefused({"account": _("请选择本院的公众号")})
    # One planner at a time per account, so two plans cannot both take the last send.
    account = WeChatAccount.objects.select_for_update().get(pk=account.pk)
    if due_at < now:
        raise SendRefused({"due_at": _("计划发送时间已过，请选择将来的时间")})
    if plan is not None and plan.institution_id != institution.pk:
        raise SendRefused({"plan": _("请选择本院的推送选题")})
    quota = usage(account, due_at)
    if quota.left <= 0:
        raise SendRefused(
            {
                "due_at": _(
                    "%(period)s的群发次数已用完（已发送 %(sent)d 次，已计划 %(planned)d 次，"
                    "上限 %(limit)d 次），请改到其他时间"
                )
                % {
                    "period": quota.label,
                    "sent": quota.sent,
                    "planned": quota.planned,
                    "limit": quota.limit,
                }
            }
        )
    previewers = _preview_openids(institution)
    if not previewers:
        raise SendRefused({"preview": _("请先在“日历设置”中填写预览人 OpenID，群发前须先预览")})
    openids = None
    if segment == Segment.SCENE:
        scene = (scene or "").strip()
        if not scene:
            raise SendRefused({"scene": _("请填写来源场景")})
        openids = scene_openids(account, scene)
        if len(openids) < 2:
            raise SendRefused({"scene": _("来自该场景的粉丝少于 2 人，无法按用户群发")})
    elif segment == Segment.TAG:
        if tag_id is None:
            raise SendRefused({"tag_id": _("请填写标签ID")})
    elif segment == Segment.ALL:
        tag_id = None
    else:
        raise SendRefused({"segment": _("请选择发送对象")})
    try:
        mass = draft_mass_send(
            account,
            title=title,
            msgtype=msgtype,
            content=content,
            tag_id=tag_id if segment == Segment.TAG else None,
            openids=openids,
            preview_openid=previewers[0],
            created_by=user,
        )
    except LimitExceeded as exc:
        raise SendRefused({FIELD_OF.get(exc.code, "content"): exc.messages}) from exc
    planned = PlannedSend.objects.create(
        institution=institution,
        account=account,
        mass=mass,
        plan=plan,
        segment=segment,
        scene=scene if segment == Segment.SCENE else "",
        due_at=due_at,
        period=quota.period,
        created_by=user,
    )
    _preview(planned, previewers, now)
    enqueue(
        SUBMIT_TOPIC,
        {"planned_id": planned.pk},
        dedup_key=f"publishing-send:{planned.pk}",
        available_at=due_at,
    )
    return planned


def _preview(planned: PlannedSend, openids: list[str], now: datetime) -> None:
    try:
        for openid in openids:
            preview_mass_send(planned.mass, openid)
    except LimitExceeded as exc:
        raise SendRefused({"preview": exc.messages}) from exc
    planned.previewed_at = now
    planned.save(update_fields=["previewed_at"])


@transaction.atomic
def preview_planned_send(planned: PlannedSend, now: datetime | None = None) -> PlannedSend:
    """Send the planned message to the staff previewers again (after an edit, or for a new
    reviewer)."""
    planned = PlannedSend.objects.select_for_update().select_related("mass").get(pk=planned.pk)
    if planned.status != PlannedSendStatus.PLANNED:
        raise SendRefused({"status": _("该群发已提交或已取消，不能再预览")})
    previewers = _preview_openids(planned.institution)
    if not previewers:
        raise SendRefused({"preview": _("请先在“日历设置”中填写预览人 OpenID，群发前须先预览")})
    _preview(planned, previewers, now or timezone.now())
    return planned


@transaction.atomic
def cancel_planned_send(planned: PlannedSend) -> PlannedSend:
    """Cancel a send not yet submitted; its place in the quota is free again."""
    planned = PlannedSend.objects.select_for_update().get(pk=planned.pk)
    if planned.status != PlannedSendStatus.PLANNED:
        raise SendRefused({"status": _("该群发已提交，不能取消")})
    planned.status = PlannedSendStatus.CANCELLED
    planned.save(update_fields=["status"])
    return planned


@transaction.atomic
def submit_planned_send(planned_id: int, now: datetime | None = None) -> PlannedSend | None:
    """Submit a planned send whose time has come (the outbox calls this at ``due_at``). Does
    nothing to one already submitted or cancelled, so a retry after a crash is harmless; the
    submission itself (quota taken, mass queued with its clientmsgid) is one transaction.
    A scene segment is re-read now, so followers who came since planning receive it too."""
    planned = (
        PlannedSend.objects.select_for_update()
        .select_related("mass", "account")
        .filter(pk=planned_id)
        .first()
    )
    if planned is None or planned.status != PlannedSendStatus.PLANNED:
        return planned
    mass = planned.mass
    try:
        if planned.segment == Segment.SCENE:
            openids = scene_openids(planned.account, planned.scene)
            if len(openids) < 2:
                raise LimitExceeded(
                    _("来自该场景的粉丝少于 2 人，无法按用户群发"), code="mass_openids"
                )
            mass.openids = openids
            mass.save(update_fields=["openids"])
        with transaction.atomic():
            submit_mass_send(mass)
    except LimitExceeded as exc:
        planned.status = PlannedSendStatus.FAILED
        planned.error = " ".join(exc.messages)
        planned.save(update_fields=["status", "error"])
        return planned
    planned.status = PlannedSendStatus.SUBMITTED
    planned.submitted_at = now or timezone.now()
    planned.save(update_fields=["status", "submitted_at"])
    return planned
