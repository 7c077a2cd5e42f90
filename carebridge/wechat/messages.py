"""Inbound messages and events, normalised: one shape for the router, the follower tracking and
the dedup key, whatever WeChat's XML spelled.

WeChat's fields (official-account docs; wechatpy's ``messages.py`` / ``events.py`` agree):
messages text (Content), image (PicUrl, MediaId), voice (MediaId, Format, Recognition), video and
shortvideo (MediaId, ThumbMediaId), location (Location_X, Location_Y, Scale, Label), link
(Title, Description, Url), each with MsgId; events carry Event and mostly EventKey, plus
Ticket (subscribe via QR, SCAN), Latitude/Longitude/Precision (LOCATION), MenuId (VIEW),
ScanCodeInfo, SendPicsInfo, SendLocationInfo (menu events), MsgID and Status (job-finish events).
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

MESSAGE_TYPES = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link"})
# Event names lower-cased: WeChat spells some in capitals (SCAN, LOCATION, CLICK, VIEW…).
EVENTS = frozenset(
    {
        "subscribe",
        "unsubscribe",
        "scan",
        "location",
        "click",
        "view",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
        "templatesendjobfinish",
        "masssendjobfinish",
        "publishjobfinish",
    }
)
# Menu buttons that send their key: their events route through CLICK rules.
MENU_KEY_EVENTS = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
QR_SCENE_PREFIX = "qrscene_"
VOICE_TRAILING = "。！？，、.!?, \u3000"
_ENVELOPE = ("ToUserName", "FromUserName", "CreateTime", "MsgType")


class Malformed(ValueError):
    """Authenticated, but not a WeChat message: answered 400 and nothing is recorded."""


@dataclass(frozen=True, slots=True)
class Message:
    raw: dict
    msg_type: str
    event: str  # lower-case; "" for messages
    openid: str  # FromUserName
    account_name: str  # ToUserName, the account's original id (gh_…)
    create_time: int
    msg_id: str  # a message's MsgId, or the MsgID of an event that names one (job reports)
    event_key: str
    text: str  # Content, or a voice message's Recognition

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def known(self) -> bool:
        return self.event in EVENTS if self.is_event else self.msg_type in MESSAGE_TYPES

    @property
    def sent_at(self) -> datetime:
        """When the user acted (WeChat's clock), never later than now."""
        now = datetime.now(UTC)
        return min(datetime.fromtimestamp(self.create_time, UTC), now)

    @property
    def scene(self) -> str:
        """The QR scene of a follow (``qrscene_<scene>``) or a scan (plain ``<scene>``)."""
        if self.event == "subscribe" and self.event_key.startswith(QR_SCENE_PREFIX):
            return self.event_key[len(QR_SCENE_PREFIX) :]
        if self.event == "scan":
            return self.event_key
        return ""

    @property
    def dedup_key(self) -> str:
        """MsgId for messages; for events the MsgID they carry (job reports: two reports to one
        user in one second are two sends), else FromUserName + CreateTime + Event + EventKey
        (WeChat's rule, with WxJava's addition so two different events in one second stay
        apart)."""
        if self.msg_id and not self.is_event:
            return f"msg:{self.msg_id}"
        if self.msg_id:
            return f"evt:{self.openid}:{self.event}:msgid:{self.msg_id}"
        if self.publish_id:  # two articles' reports may come in one second
            return f"evt:{self.openid}:{self.event}:publish:{self.publish_id}"
        return self.sender_time_key

    @property
    def publish_info(self) -> dict:
        """PUBLISHJOBFINISH's PublishEventInfo (publish_id, publish_status, article_id…)."""
        info = self.raw.get("PublishEventInfo") if self.event == "publishjobfinish" else None
        return info if isinstance(info, dict) else {}

    @property
    def publish_id(self) -> str:
        value = self.publish_info.get("publish_id")
        return value if isinstance(value, str) and value.isdigit() and len(value) <= 20 else ""

    @property
    def sender_time_key(self) -> str:
        """FromUserName + CreateTime + Event + EventKey: an event's key without its MsgID, which
        receipts of job reports were keyed by before (``actions.callbacks`` still finds them)."""
        key = f"evt:{self.openid}:{self.create_time}:{self.event}:{self.event_key}"
        if len(key) > 200:  # a VIEW event's key is a URL of up to 1024 bytes
            key = "evt:" + hashlib.sha256(key.encode()).hexdigest()
        return key

    def field(self, name: str) -> str:
        value = self.raw.get(name, "")
        return value if isinstance(value, str) else ""


def fold(text: str) -> str:
    """Text as keywords compare it: full-width forms and case folded, outer spaces dropped
    (Chinese input methods type ＡＢＣ and full-width spaces)."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _text(raw: dict, name: str) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str):
        raise Malformed(f"<{name}> must be text")
    return value


def normalise(raw: dict) -> Message:
    """Check WeChat's envelope and return the message; raise Malformed when it is not one."""
    for name in _ENVELOPE:
        if not _text(raw, name):
            raise Malformed(f"missing <{name}>")
    if len(raw["FromUserName"]) > 64:
        raise Malformed("<FromUserName> is not an openid")
    created = _text(raw, "CreateTime")
    if not created.isascii() or not created.isdigit() or len(created) > 12:
        raise Malformed("<CreateTime> must be a Unix time")
    msg_type = _text(raw, "MsgType").lower()
    event = _text(raw, "Event").lower() if msg_type == "event" else ""
    if msg_type == "event" and not event:
        raise Malformed("missing <Event>")
    # Messages spell it MsgId, events (the job reports) MsgID.
    id_field = "MsgID" if msg_type == "event" and "MsgId" not in raw else "MsgId"
    msg_id = _text(raw, id_field)
    if msg_id and not (msg_id.isascii() and msg_id.isdigit() and len(msg_id) <= 20):
        raise Malformed(f"<{id_field}> must be a number")
    # EventKey is a string for every event we know; anything nested is ignored, not trusted.
    key = raw.get("EventKey", "")
    text = raw.get("Recognition") if msg_type == "voice" else raw.get("Content")
    if msg_type == "voice" and isinstance(text, str):
        # Recognition ends its sentence with punctuation the user never said: "挂号。"
        text = text.rstrip(VOICE_TRAILING)
    return Message(
        raw=raw,
        msg_type=msg_type,
        event=event,
        openid=_text(raw, "FromUserName"),
        account_name=_text(raw, "ToUserName"),
        create_time=int(created),
        msg_id=msg_id,
        event_key=key if isinstance(key, str) else "",
        text=text if isinstance(text, str) else "",
    )
