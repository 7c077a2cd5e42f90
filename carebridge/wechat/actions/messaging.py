"""Messages we send: template messages, customer-service messages, mass sends and previews.

Each action checks WeChat's limits first (LimitExceeded, with a message for staff), records the
send and enqueues an outbox row in the caller's transaction; the worker makes the call
(wechat/tasks.py). A rolled-back change therefore sends nothing, and a committed one is sent once.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from carebridge.lib.bulk import update_rows
from carebridge.outbox.actions import enqueue, enqueue_many
from carebridge.outbox.models import OutboxMessage

from .. import limits
from ..limits import LimitExceeded, utf8_len
from ..models import Follower, MassSend, TemplateSend
from ..models.messaging import MassMsgType, SendStatus
from ..service_window import WindowClosed
from .followers_pending import catch_up
from .service_window import consume_grant

log = logging.getLogger("carebridge.wechat")

TEMPLATE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CUSTOM_TYPES = {
    "text",
    "image",
    "voice",
    "video",
    "music",
    "news",
    "mpnews",
    "mpnewsarticle",
    "msgmenu",
    "wxcard",
    "miniprogrampage",
}
TEXT_MAX_BYTES = 2048
MASS_MIN_OPENIDS, MASS_MAX_OPENIDS = 2, 10_000
# How long a job-finish report that arrived before its send was recorded is tried again.
LATE_REPORT_DELAY = timedelta(seconds=2)


def recipient(account_id: int, openid: str) -> str:
    """The outbox's name for a WeChat user: messages to one are sent in the order written."""
    return f"wechat:{account_id}:{openid}"


def outbox_dedup_id(row: OutboxMessage) -> str:
    """WeChat's client_msg_id / clientmsgid for the send an outbox row carries: a resend of the
    same row (after a crash) repeats it, and WeChat delivers the message once."""
    return f"carebridge-outbox-{row.pk}"


def _template_data(data) -> dict:
    """{"first": "text"} or {"first": {"value": "text", "color": "#173177"}} → WeChat's form."""
    if not isinstance(data, dict) or not data:
        raise LimitExceeded(_("模板数据须为非空的“字段: 内容”"), code="template_data")
    clean = {}
    for key, item in data.items():
        item = {"value": item} if isinstance(item, str) else item
        if not (isinstance(key, str) and key and isinstance(item, dict)):
            raise LimitExceeded(
                _("模板字段 %(key)s 的格式不正确") % {"key": key}, code="template_data"
            )
        if not isinstance(item.get("value"), str):
            raise LimitExceeded(_("模板字段 %(key)s 缺少内容") % {"key": key}, code="template_data")
        clean[key] = {k: v for k, v in item.items() if k in ("value", "color")}
    return clean


@dataclass(frozen=True)
class TemplateMessage:
    """One template message of a batch (``send_templates``): what ``send_template`` takes.
    Past ``expires_at`` (its moment: the visit it announces has started…) it is not sent."""

    openid: str
    template_id: str
    data: dict
    url: str = ""
    expires_at: datetime | None = None


def _checked_template(message: TemplateMessage) -> dict:
    """The message's data in WeChat's form, or LimitExceeded saying what is wrong with it."""
    if not message.openid or len(message.openid) > 64:
        raise LimitExceeded(_("OpenID 不正确"), code="openid")
    if not TEMPLATE_ID.match(message.template_id or ""):
        raise LimitExceeded(_("模板 ID 不正确"), code="template_id")
    url = message.url
    if url and (utf8_len(url) > 1024 or not url.startswith(("http://", "https://"))):
        raise LimitExceeded(_("跳转网址须以 http(s):// 开头且不超过 1024 字节"), code="url")
    return _template_data(message.data)


def send_template(
    account,
    openid: str,
    template_id: str,
    data: dict,
    url: str = "",
    expires_at: datetime | None = None,
) -> TemplateSend:
    """Send template message ``template_id`` to ``openid`` (verified service accounts only;
    100,000 a day). ``data`` maps the template's fields to text (or {"value", "color"}); past
    ``expires_at`` an unsent message is dropped, not sent late. Raises LimitExceeded, having
    written nothing, when it may not be sent."""
    message = TemplateMessage(openid, template_id, data, url, expires_at)
    (result,) = send_templates(account, [message])
    if isinstance(result, LimitExceeded):
        raise result
    return result


@transaction.atomic
def send_templates(account, messages: list[TemplateMessage]) -> list[TemplateSend | LimitExceeded]:
    """Send many template messages of one account, each as ``send_template`` would, in a few
    statements whatever their number: the quota taken in one conditional UPDATE, the sends and
    their outbox rows inserted in one INSERT each, their client_msg_id set in one UPDATE.

    Returns one entry per message, in order: its TemplateSend, or the LimitExceeded that refused
    it (its own checks, an account that may not send templates, or the day's quota spent before
    its turn). A refused message takes no quota and keeps none of the others from being sent."""
    try:
        limits.require_verified_service(account)
    except LimitExceeded as exc:
        return [exc] * len(messages)
    results: list[TemplateSend | LimitExceeded] = []
    for message in messages:
        try:
            clean = _checked_template(message)
        except LimitExceeded as exc:
            results.append(exc)
            continue
        results.append(
            TemplateSend(
                account=account,
                openid=message.openid,
                template_id=message.template_id,
                data=clean,
                url=message.url,
            )
        )
    wanted = [i for i, result in enumerate(results) if isinstance(result, TemplateSend)]
    allowed = limits.consume_up_to(account, "template_send", len(wanted))
    for i in wanted[allowed:]:
        results[i] = limits.exceeded("template_send")
    sends = [results[i] for i in wanted[:allowed]]
    if not sends:
        return results
    TemplateSend.objects.bulk_create(sends)
    rows = enqueue_many(
        "wechat.template",
        [{"send_id": send.pk} for send in sends],
        recipients=[recipient(account.pk, send.openid) for send in sends],
        expires=[messages[i].expires_at for i in wanted[:allowed]],
    )
    for send, row in zip(sends, rows, strict=True):
        send.client_msg_id = outbox_dedup_id(row)
    update_rows(TemplateSend, {send.pk: {"client_msg_id": send.client_msg_id} for send in sends})
    return results


def _custom_body(message) -> dict:
    if isinstance(message, str):
        message = {"msgtype": "text", "text": {"content": message}}
    kind = message.get("msgtype") if isinstance(message, dict) else None
    if kind not in CUSTOM_TYPES or not isinstance(message.get(kind), dict):
        raise LimitExceeded(_("客服消息类型不正确"), code="custom_type")
    if kind == "text":
        content = message["text"].get("content")
        if not isinstance(content, str) or not content.strip():
            raise LimitExceeded(_("客服消息内容不能为空"), code="custom_empty")
        if utf8_len(content) > TEXT_MAX_BYTES:
            raise LimitExceeded(
                _("客服消息最多 %(max)d 个字节") % {"max": TEXT_MAX_BYTES}, code="custom_size"
            )
    return {"msgtype": kind, kind: message[kind]}


@transaction.atomic
def send_custom_message(account, openid: str, message) -> OutboxMessage:
    """Send a customer-service message (a dict in WeChat's form, or text) to ``openid``.

    Allowed only inside the customer-service window the user's last interactions opened
    (service_window.py); raises WindowClosed otherwise. WeChat has no dedup id for these, so a
    worker crash between WeChat's answer and the outbox's bookkeeping can repeat one.
    """
    body = _custom_body(message)
    catch_up(account.pk, openid)  # a first message answered moments ago makes its follower
    follower = Follower.objects.filter(account=account, openid=openid, subscribed=True).first()
    if follower is None:
        raise WindowClosed(_("该用户未关注公众号，无法发送客服消息"), code="not_following")
    consume_grant(follower)
    return enqueue(
        "wechat.custom",
        {"account_id": account.pk, "openid": openid, "message": body},
        recipient=recipient(account.pk, openid),
    )


def _mass_content(msgtype: str, content) -> dict:
    if msgtype not in MassMsgType.values:
        raise LimitExceeded(_("群发消息类型不正确"), code="mass_type")
    if not isinstance(content, dict):
        raise LimitExceeded(_("群发内容格式不正确"), code="mass_content")
    field = {"text": "content", "wxcard": "card_id"}.get(msgtype, "media_id")
    value = content.get(field)
    if not isinstance(value, str) or not value.strip():
        raise LimitExceeded(
            _("群发内容不能为空（需要 %(field)s）") % {"field": field}, code="mass_empty"
        )
    return {field: value}


def _mass_openids(openids, tag_id) -> list[str]:
    openids = list(openids or [])
    if not openids:
        return []
    if tag_id is not None:
        raise LimitExceeded(_("按标签群发与按用户群发只能选一种"), code="mass_target")
    if not all(isinstance(o, str) and 0 < len(o) <= 64 for o in openids):
        raise LimitExceeded(_("群发用户的 OpenID 不正确"), code="mass_openids")
    if not MASS_MIN_OPENIDS <= len(set(openids)) <= MASS_MAX_OPENIDS:
        raise LimitExceeded(_("按用户群发须有 2 到 10000 个不同的用户"), code="mass_openids")
    return sorted(set(openids))


@transaction.atomic
def draft_mass_send(
    account,
    *,
    title: str,
    msgtype: str,
    content: dict,
    tag_id: int | None = None,
    openids: list[str] | None = None,
    preview_openid: str = "",
    created_by=None,
) -> MassSend:
    """Prepare a mass message to every follower, a tag or 2–10,000 openids, to preview and
    then submit. Takes no quota yet."""
    if not (title or "").strip():
        raise LimitExceeded(_("请填写群发标题"), code="mass_title")
    return MassSend.objects.create(
        account=account,
        title=title.strip()[:100],
        msgtype=msgtype,
        content=_mass_content(msgtype, content),
        tag_id=tag_id,
        openids=_mass_openids(openids, tag_id),
        preview_openid=preview_openid,
        status=SendStatus.DRAFT,
        created_by=created_by,
    )


@transaction.atomic
def submit_mass_send(mass: MassSend) -> MassSend:
    """Send a draft: take one unit of the account's mass quota (service: 4 a month,
    subscription: 1 a day; LimitExceeded when used up) and queue it. The outbox sends it with a
    clientmsgid, so a retry is never a second mass message."""
    mass = MassSend.objects.select_for_update().select_related("account").get(pk=mass.pk)
    if mass.status != SendStatus.DRAFT:
        raise LimitExceeded(_("该群发已提交，不能重复提交"), code="mass_submitted")
    mass.quota_period = limits.consume(mass.account, limits.mass_quota_name(mass.account))
    row = enqueue("wechat.mass", {"mass_id": mass.pk})
    mass.clientmsgid = outbox_dedup_id(row)
    mass.status = SendStatus.QUEUED
    mass.save(update_fields=["quota_period", "clientmsgid", "status"])
    return mass


@transaction.atomic
def mass_send(account, **fields) -> MassSend:
    """Draft and submit at once (see ``draft_mass_send`` for the fields)."""
    return submit_mass_send(draft_mass_send(account, **fields))


@transaction.atomic
def preview_mass_send(mass: MassSend, openid: str = "") -> OutboxMessage:
    """Send ``mass`` to one test user (``openid``, else its preview_openid) to check it."""
    openid = openid or mass.preview_openid
    if not openid or len(openid) > 64:
        raise LimitExceeded(_("请填写预览用户的 OpenID"), code="preview_openid")
    limits.consume(mass.account, "mass_preview")
    return enqueue("wechat.mass_preview", {"mass_id": mass.pk, "openid": openid})


@transaction.atomic
def template_finished(account, msg_id: int | None, status: str) -> int:
    """Record TEMPLATESENDJOBFINISH: ``status`` is success, failed:user block… Returns the
    number of sends updated. A report that outran its send's bookkeeping is tried again."""
    if msg_id is None:
        return 0
    updated = TemplateSend.objects.filter(account=account, msgid=msg_id).update(
        delivery=(status or "")[:64]
    )
    if not updated:
        _retry_late("template", account, msg_id, {"status": status})
    return updated


@transaction.atomic
def mass_finished(account, msg_id: int | None, payload: dict) -> int:
    """Record MASSSENDJOBFINISH (Status, TotalCount, SentCount, ErrorCount…) on the mass send."""
    if msg_id is None:
        return 0
    updated = MassSend.objects.filter(account=account, msg_id=msg_id).update(report=payload)
    if not updated:
        _retry_late("mass", account, msg_id, {"payload": payload})
    return updated


def _retry_late(kind: str, account, msg_id: int, extra: dict) -> None:
    """Queue the report to be applied once its send is recorded (tasks.apply_late_report). It
    can only name a send written before it arrived: the newest one now bounds its wait."""
    log.info("%s report for unknown msg_id %s of %s: retried later", kind, msg_id, account.slug)
    model = TemplateSend if kind == "template" else MassSend
    before_id = model.objects.filter(account=account).aggregate(last=Max("pk"))["last"]
    enqueue(
        "wechat.late_report",
        {
            "kind": kind,
            "account_id": account.pk,
            "msg_id": msg_id,
            "before_id": before_id,
            **extra,
        },
        dedup_key=f"late-report:{kind}:{account.pk}:{msg_id}",
        delay=LATE_REPORT_DELAY,
    )
