"""A SandboxMessage as the phone shows it: a bubble (mine or the account's) or a system note.

Bodies come in the shapes WeChat uses: a passive reply is the parsed reply XML (MsgType,
Content, Articles…); customer-service and mass messages are API JSON ({"msgtype", <type>: {…}});
a template message is {"template_id", "url", "data"}; what the user did is the callback message.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import SandboxMessage, SandboxTemplate
from ..wxapi.templates import labels

_EVENT_NOTES = {
    "subscribe": lambda m: (
        _("你关注了公众号")
        + (_("（扫描二维码：%s）") % m["EventKey"][8:] if m.get("EventKey") else "")
    ),
    "unsubscribe": lambda m: _("你取消关注了公众号"),
    "SCAN": lambda m: _("你扫描了二维码：%s") % m.get("EventKey", ""),
    "CLICK": lambda m: _("你点击了菜单（%s）") % m.get("EventKey", ""),
    "VIEW": lambda m: _("你打开了网页 %s") % m.get("EventKey", ""),
}


def bubble(row: SandboxMessage) -> dict:
    """JSON for the phone: {"id", "time", "side": me|account|system, "type", …}."""
    body = row.body if isinstance(row.body, dict) else {}
    base = {"id": row.id, "time": timezone.localtime(row.created_at).strftime("%H:%M")}
    if row.direction == "out":
        return base | _mine(body)
    if row.kind == "reply":
        return base | {"side": "account"} | _reply(body)
    if row.kind == "template":
        return base | {"side": "account"} | _template(body, row.app_id)
    if row.kind == "sms":
        text = _("短信（发往 %(to)s）：%(text)s") % {
            "to": body.get("to", ""),
            "text": body.get("text", ""),
        }
        return base | {"side": "system", "type": "note", "text": text}
    label = {"custom": _("客服消息"), "mass": _("群发消息")}.get(row.kind, row.kind)
    return base | {"side": "account", "label": label} | _api_message(body)


def _mine(message: dict) -> dict:
    kind = message.get("MsgType")
    if kind == "text":
        return {"side": "me", "type": "text", "text": message.get("Content", "")}
    if kind == "location":
        text = "📍 " + (
            message.get("Label") or f"{message.get('Location_X')}, {message.get('Location_Y')}"
        )
        return {"side": "me", "type": "text", "text": text}
    if kind == "voice":
        return {"side": "me", "type": "text", "text": "🎤 " + message.get("Recognition", "")}
    if kind == "event":
        note = _EVENT_NOTES.get(message.get("Event", ""))
        text = note(message) if note else _("事件：%s") % message.get("Event", "")
        return {"side": "system", "type": "note", "text": text}
    return {"side": "me", "type": "text", "text": f"[{kind}]"}


def _reply(reply: dict) -> dict:
    kind = reply.get("MsgType")
    if kind == "text":
        return {"type": "text", "text": reply.get("Content", "")}
    if kind == "news":
        items = reply.get("Articles") or []
        articles = [
            {
                "title": a.get("Title", ""),
                "description": a.get("Description", ""),
                "url": a.get("Url", ""),
                "picurl": a.get("PicUrl", ""),
            }
            for a in (items if isinstance(items, list) else [])
            if isinstance(a, dict)
        ]
        return {"type": "news", "articles": articles}
    if kind == "transfer_customer_service":
        return {"type": "note", "side": "system", "text": _("消息已转给人工客服")}
    return {"type": "text", "text": f"[{kind}]"}


def _api_message(body: dict) -> dict:
    kind = body.get("msgtype", "")
    content = body.get(kind) if isinstance(body.get(kind), dict) else {}
    if kind == "text":
        return {"type": "text", "text": content.get("content", "")}
    if kind == "news":
        articles = [a for a in content.get("articles", []) if isinstance(a, dict)]
        return {"type": "news", "articles": articles}
    if kind == "msgmenu":
        options = [
            item.get("content", "") for item in content.get("list", []) if isinstance(item, dict)
        ]
        text = "\n".join(
            [content.get("head_content", ""), *options, content.get("tail_content", "")]
        )
        return {"type": "text", "text": text.strip()}
    return {"type": "text", "text": f"[{kind}]"}


def _template(body: dict, app_id: str) -> dict:
    """As WeChat shows it: the library's title, then each field in the template's order under
    its label (first and remark bare). An id not in the sandbox's library shows the id and the
    raw keys."""
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    template_id = body.get("template_id", "")
    known = SandboxTemplate.objects.filter(app_id=app_id, template_id=template_id).first()
    names = labels(known.content) if known else {}
    order = [key for key in names if key in data] + [key for key in data if key not in names]
    fields = [
        {"name": names.get(key, key), "value": data[key].get("value", "")}
        for key in order
        if isinstance(data[key], dict)
    ]
    return {
        "type": "template",
        "title": known.title if known else template_id,
        "fields": fields,
        "url": body.get("url", ""),
    }
