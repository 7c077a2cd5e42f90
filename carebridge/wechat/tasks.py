"""Outbox handlers of the WeChat layer (topics ``wechat.*``).

Each handler makes one WeChat call per message and records the outcome (template messages come
a batch per worker call: ``deliver_templates``). A passing failure (busy, network,
rate limit) raises RetryLater; a refusal raises GiveUp and marks the send failed. Template and
mass sends carry a dedup id derived from the outbox row, so running a row again after a crash
(its lease expired mid-call) never delivers the message twice.
"""

import logging
import time

from django.conf import settings
from django.utils import timezone

from carebridge.institutions.models import WeChatAccount
from carebridge.lib.bulk import update_rows
from carebridge.outbox.registry import GiveUp, RetryLater, batch_handler, handler, sweep

from . import limits
from .actions.followers_pending import BATCH as PENDING_BATCH
from .actions.followers_pending import apply_pending
from .actions.messaging import outbox_dedup_id
from .client import WeChatClient
from .models import MassSend, TemplateSend
from .models.messaging import SendStatus
from .transport import WeChatError, is_passing

log = logging.getLogger("carebridge.wechat")

CLIENTMSGID_EXISTS = 45065  # the mass send with this clientmsgid was already submitted
LATE_REPORT_ATTEMPTS = 3


def _give_up(exc: WeChatError) -> GiveUp:
    give_up = GiveUp(str(exc))
    give_up.response = exc.response
    return give_up


def _is_last_attempt(message) -> bool:
    return message.attempts >= settings.OUTBOX_MAX_ATTEMPTS


def _fail(row, exc: Exception, answer=None) -> None:
    row.status = SendStatus.FAILED
    row.error = str(exc)[:2000]
    fields = ["status", "error"]
    if isinstance(row, TemplateSend):
        row.answer = answer
        fields.append("answer")
    else:
        row.result = answer
        fields.append("result")
    row.save(update_fields=fields)


# Template messages delivered per worker call: their rows are claimed, loaded and recorded
# together, and each is still its own call to WeChat.
TEMPLATE_BATCH = 50
# WeChat's job report (TEMPLATESENDJOBFINISH) can arrive before the msgid it names is recorded,
# and is tried again for a few seconds only (LATE_REPORT_ATTEMPTS): a slow batch records what it
# has delivered at least this often (seconds), not only at its end.
RECORD_EVERY = 1.0


@batch_handler("wechat.template", size=TEMPLATE_BATCH)
def deliver_templates(messages):
    """POST /cgi-bin/message/template/send for each message's TemplateSend, one call each; the
    sends are loaded with one query and those WeChat took recorded with one UPDATE (one a second
    when WeChat is slow).

    Calls stop once half the claim's lease has passed (WeChat slow or unreachable): the messages
    not tried yet are tried again later instead of outliving the claim, which another worker
    could then take."""
    sends = TemplateSend.objects.select_related("account").in_bulk(
        [m.payload["send_id"] for m in messages]
    )
    started = recorded = time.monotonic()
    clients: dict[int, WeChatClient] = {}
    outcomes, delivered = {}, []
    for message in messages:
        now = time.monotonic()
        if now > started + settings.OUTBOX_LEASE_SECONDS / 2:
            break
        if now > recorded + RECORD_EVERY:
            _record_delivered(delivered)
            recorded, delivered = now, []
        send = sends.get(message.payload["send_id"])
        try:
            if send is None:
                raise GiveUp(f"template send #{message.payload['send_id']} no longer exists")
            if send.status == SendStatus.SENT:
                outcomes[message.id] = send.answer
                continue
            if send.account_id not in clients:
                clients[send.account_id] = WeChatClient(send.account)
            outcomes[message.id] = _deliver_template(clients[send.account_id], send, message)
            delivered.append(send)
        except Exception as exc:  # this message's outcome; the others go on
            outcomes[message.id] = exc
    _record_delivered(delivered)
    return outcomes


def _record_delivered(sends: list[TemplateSend]) -> None:
    update_rows(
        TemplateSend,
        {s.pk: {"msgid": s.msgid, "answer": s.answer, "sent_at": s.sent_at} for s in sends},
        status=SendStatus.SENT,
        error="",
    )


def _deliver_template(client: WeChatClient, send: TemplateSend, message) -> dict:
    """Make the call and set ``send``'s outcome on it (saved by the caller), or raise."""
    body = {
        "touser": send.openid,
        "template_id": send.template_id,
        "data": send.data,
        "client_msg_id": send.client_msg_id or outbox_dedup_id(message),
    }
    if send.url:
        body["url"] = send.url
    try:
        answer = client.post("/cgi-bin/message/template/send", body)
    except WeChatError as exc:
        if is_passing(exc) and not _is_last_attempt(message):
            raise RetryLater(str(exc)) from exc
        _fail(send, exc, exc.response)
        raise _give_up(exc) from exc
    send.status = SendStatus.SENT
    send.msgid = answer.get("msgid")
    send.answer = answer
    send.error = ""
    send.sent_at = timezone.now()
    return answer


@handler("wechat.custom")
def deliver_custom(message):
    """POST /cgi-bin/message/custom/send (the window was checked when it was enqueued)."""
    account = WeChatAccount.objects.get(pk=message.payload["account_id"])
    body = {"touser": message.payload["openid"], **message.payload["message"]}
    try:
        return WeChatClient(account).post("/cgi-bin/message/custom/send", body)
    except WeChatError as exc:
        if is_passing(exc):
            raise RetryLater(str(exc)) from exc
        raise _give_up(exc) from exc


@handler("wechat.mass")
def deliver_mass(message):
    """POST /cgi-bin/message/mass/sendall (all followers or a tag) or mass/send (openids)."""
    mass = MassSend.objects.select_related("account").filter(pk=message.payload["mass_id"]).first()
    if mass is None:
        raise GiveUp(f"mass send #{message.payload['mass_id']} no longer exists")
    if mass.status == SendStatus.SENT:
        return mass.result
    account = mass.account
    try:  # WeChat's per-call limits: 100 calls a day, 60 a minute
        limits.consume(account, "mass_api")
        limits.consume(account, "mass_minute")
    except limits.LimitExceeded as exc:
        raise RetryLater(" ".join(exc.messages)) from exc
    body = {
        **mass.wire_body(),
        "send_ignore_reprint": 0,
        "clientmsgid": mass.clientmsgid or outbox_dedup_id(message),
    }
    if mass.openids:
        path, body["touser"] = "/cgi-bin/message/mass/send", mass.openids
    else:
        path = "/cgi-bin/message/mass/sendall"
        to_all = mass.tag_id is None
        body["filter"] = (
            {"is_to_all": True} if to_all else {"is_to_all": False, "tag_id": mass.tag_id}
        )
    try:
        answer = WeChatClient(account).post(path, body)
    except WeChatError as exc:
        if exc.errcode == CLIENTMSGID_EXISTS:
            answer = exc.response  # our earlier attempt got through; its msg_id is here
        elif is_passing(exc) and not _is_last_attempt(message):
            raise RetryLater(str(exc)) from exc
        else:
            _fail(mass, exc, exc.response)
            if not is_passing(exc):  # WeChat sent nothing: the month's (or day's) send is back
                limits.refund(account, limits.mass_quota_name(account), mass.quota_period)
            raise _give_up(exc) from exc
    mass.status = SendStatus.SENT
    mass.msg_id = answer.get("msg_id")
    mass.result = answer
    mass.error = ""
    mass.sent_at = timezone.now()
    mass.save(update_fields=["status", "msg_id", "result", "error", "sent_at"])
    return answer


@handler("wechat.mass_preview")
def deliver_mass_preview(message):
    """POST /cgi-bin/message/mass/preview: the mass message to one test user."""
    mass = MassSend.objects.select_related("account").get(pk=message.payload["mass_id"])
    body = {"touser": message.payload["openid"], **mass.wire_body()}
    try:
        return WeChatClient(mass.account).post("/cgi-bin/message/mass/preview", body)
    except WeChatError as exc:
        if is_passing(exc):
            raise RetryLater(str(exc)) from exc
        raise _give_up(exc) from exc


@handler("wechat.late_report")
def apply_late_report(message):
    """A job-finish report that arrived before its send recorded WeChat's msg_id."""
    payload = message.payload
    if payload["kind"] == "template":
        rows = TemplateSend.objects.filter(
            account_id=payload["account_id"], msgid=payload["msg_id"]
        )
        updated = rows.update(delivery=(payload.get("status") or "")[:64])
    else:
        rows = MassSend.objects.filter(account_id=payload["account_id"], msg_id=payload["msg_id"])
        updated = rows.update(report=payload.get("payload"))
    if updated:
        return {"updated": updated}
    if message.attempts < LATE_REPORT_ATTEMPTS:
        raise RetryLater(f"no {payload['kind']} send with msg_id {payload['msg_id']} yet")
    raise GiveUp(f"no {payload['kind']} send with msg_id {payload['msg_id']} (not ours?)")


@sweep("wechat.pending_receipts", batch=PENDING_BATCH)
def apply_pending_receipts(limit: int) -> int:
    """The follower bookkeeping of messages answered on the one-insert path, a batch a pass."""
    return apply_pending(limit)
