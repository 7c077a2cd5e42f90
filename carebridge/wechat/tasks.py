"""Outbox handlers of the WeChat layer (topics ``wechat.*``).

Each handler makes one WeChat call per message and records the outcome (template messages come
a batch per worker call: ``deliver_templates``). A passing failure (busy, network, timeout,
rate limit: ``transport.is_passing``) raises RetryLater, and the worker retries it for the
topic's period; a refusal raises GiveUp and marks the send failed with WeChat's reason, and so
does the worker's giving up (``on_drop``). Template and mass sends carry a dedup id derived from
the outbox row, so running a row again after a crash (its lease expired mid-call) never delivers
the message twice (WeChat keeps the id for 10 minutes).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from carebridge.institutions.models import WeChatAccount
from carebridge.lib.bulk import update_rows
from carebridge.outbox.registry import (
    GiveUp,
    RetryLater,
    batch_handler,
    handler,
    on_drop,
    sweep,
)

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


def _give_up(exc: WeChatError) -> GiveUp:
    give_up = GiveUp(str(exc))
    give_up.response = exc.response
    return give_up


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
# WeChat's job report (TEMPLATESENDJOBFINISH) can arrive before the msgid it names is recorded
# (it then waits: apply_late_report): a slow batch records what it has delivered at least this
# often (seconds), not only at its end, so reports seldom have to wait.
RECORD_EVERY = 1.0


@batch_handler("wechat.template", size=TEMPLATE_BATCH)
def deliver_templates(messages):
    """POST /cgi-bin/message/template/send for each message's TemplateSend, one call each; the
    sends are loaded with one query and those WeChat took recorded with one UPDATE (one a second
    when WeChat is slow).

    Calls stop once half the claim's lease has passed (WeChat slow or unreachable): the messages
    not tried yet are tried again later instead of outliving the claim, which another worker
    could then take. After a call of an account got no answer at all (WeChat down: network,
    timeout, HTTP 5xx) its other messages are not tried in this call either: each would wait out
    the same timeout for the same silence."""
    sends = TemplateSend.objects.select_related("account").in_bulk(
        [m.payload["send_id"] for m in messages]
    )
    started = recorded = time.monotonic()
    clients: dict[int, WeChatClient] = {}
    stalled: dict[int, RetryLater] = {}  # account id → the call that got no answer
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
            if send.account_id in stalled:
                raise RetryLater(f"not tried: {stalled[send.account_id]}")
            if send.account_id not in clients:
                clients[send.account_id] = WeChatClient(send.account)
            outcomes[message.id] = _deliver_template(clients[send.account_id], send, message)
            delivered.append(send)
        except Exception as exc:  # this message's outcome; the others go on
            outcomes[message.id] = exc
            if isinstance(exc.__cause__, WeChatError) and exc.__cause__.errcode is None:
                stalled[send.account_id] = exc
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
        if is_passing(exc):
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
        elif is_passing(exc):
            raise RetryLater(str(exc)) from exc
        else:
            _fail(mass, exc, exc.response)
            # WeChat refused it, so sent nothing: the month's (or day's) send is back.
            limits.refund(account, limits.mass_quota_name(account), mass.quota_period)
            raise _give_up(exc) from exc
    mass.status = SendStatus.SENT
    mass.msg_id = answer.get("msg_id")
    mass.result = answer
    mass.error = ""
    mass.sent_at = timezone.now()
    mass.save(update_fields=["status", "msg_id", "result", "error", "sent_at"])
    return answer


@on_drop("wechat.template")
def templates_dropped(messages):
    """The sends of template rows the worker gave up on (retried in vain for the whole period,
    or expired) are failed with its reason, for staff to see on the send."""
    for message in messages:
        TemplateSend.objects.filter(
            pk=message.payload.get("send_id"), status=SendStatus.QUEUED
        ).update(status=SendStatus.FAILED, error=message.last_error)


@on_drop("wechat.mass")
def mass_dropped(messages):
    """As ``templates_dropped``; the quota is not given back, since a call that got no answer
    may have reached WeChat."""
    for message in messages:
        MassSend.objects.filter(pk=message.payload.get("mass_id"), status=SendStatus.QUEUED).update(
            status=SendStatus.FAILED, error=message.last_error
        )


# A preview is wanted while its editor is at work, not tomorrow.
@handler("wechat.mass_preview", retry_for=timedelta(hours=1))
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
    """A job-finish report that arrived before its send recorded WeChat's msg_id. It waits for as
    long as a send it may name is still unrecorded: one written before the report arrived
    (``before_id``) and still queued. After a worker crash between WeChat's answer and our
    bookkeeping, that send is recorded only when its row is run again, after its lease (or,
    were WeChat down by then, after that outage), and the report waits for it; a report that no
    such send can match is not ours."""
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
    if _unrecorded_sends(payload).exists():
        raise RetryLater(f"no {payload['kind']} send with msg_id {payload['msg_id']} yet")
    raise GiveUp(f"no {payload['kind']} send with msg_id {payload['msg_id']} (not ours?)")


def _unrecorded_sends(payload: dict):
    """The sends a late report may yet name: queued, no msgid recorded, written before the
    report arrived."""
    model = TemplateSend if payload["kind"] == "template" else MassSend
    rows = model.objects.filter(account_id=payload["account_id"], status=SendStatus.QUEUED)
    if "before_id" in payload:  # reports queued before this rule are bounded by nothing
        rows = rows.filter(pk__lte=payload["before_id"] or 0)
    return rows


@sweep("wechat.pending_receipts", batch=PENDING_BATCH)
def apply_pending_receipts(limit: int) -> int:
    """The follower bookkeeping of messages answered on the one-insert path, a batch a pass."""
    return apply_pending(limit)
