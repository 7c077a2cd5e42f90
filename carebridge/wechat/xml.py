"""Untrusted callback XML in, reply XML out.

defusedxml refuses DTDs, entity declarations and external entities before expanding anything,
so an XML bomb costs microseconds, not memory (both major WeChat SDKs shipped XXE bugs).
"""

import time
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class BadXML(ValueError):
    pass


def _value(node: Element):
    children = list(node)
    if not children:
        return (node.text or "").strip()
    # Nested blocks: ScanCodeInfo, SendLocationInfo, SendPicsInfo with its PicList of <item>s.
    if all(child.tag == "item" for child in children):
        return [_value(child) for child in children]
    return {child.tag: _value(child) for child in children}


def parse(body: bytes) -> dict:
    """The <xml> document as a dict of its children; raise BadXML on anything else."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXML(f"malformed or unsafe XML: {exc.__class__.__name__}") from exc
    if root.tag != "xml":
        raise BadXML("the root element must be <xml>")
    return {child.tag: _value(child) for child in root}


def render(fields: dict) -> str:
    """A reply document; strings become CDATA like WeChat's own, numbers stay bare."""
    return "<xml>" + "".join(_render_field(k, v) for k, v in fields.items()) + "</xml>"


def _render_field(tag: str, value) -> str:
    if isinstance(value, dict):
        inner = "".join(_render_field(k, v) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        inner = "".join(_render_field("item", v) for v in value)
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, int):
        return f"<{tag}>{value}</{tag}>"
    text = str(value).replace("]]>", "]]]]><![CDATA[>")
    return f"<{tag}><![CDATA[{text}]]></{tag}>"


def text_reply(to_user: str, from_user: str, content: str) -> str:
    return render(
        {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": int(time.time()),
            "MsgType": "text",
            "Content": content,
        }
    )


def news_reply(to_user: str, from_user: str, articles: list[dict]) -> str:
    items = [
        {
            "Title": a.get("title", ""),
            "Description": a.get("description", ""),
            "PicUrl": a.get("picurl", ""),
            "Url": a.get("url", ""),
        }
        for a in articles[:8]  # WeChat's limit for a news reply
    ]
    return render(
        {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": int(time.time()),
            "MsgType": "news",
            "ArticleCount": len(items),
            "Articles": items,
        }
    )


def encrypted_envelope(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    return render(
        {
            "Encrypt": encrypted,
            "MsgSignature": msg_signature,
            "TimeStamp": timestamp,
            "Nonce": nonce,
        }
    )
