"""The normaliser, and the recorded fixtures checked against wechatpy's independent parser (so
the payloads we test with are the ones WeChat's SDKs understand)."""

import pytest
from wechatpy import parse_message

from carebridge.wechat import xml
from carebridge.wechat.messages import EVENTS, MESSAGE_TYPES, Malformed, fold, normalise

from .callback_helper import fixture, fixture_names

# wechatpy's class for each fixture, by name: an independent reading of the same XML.
WECHATPY = {
    "text__keyword": "TextMessage",
    "text__question": "TextMessage",
    "image__photo": "ImageMessage",
    "voice__recognition": "VoiceMessage",
    "voice__plain": "VoiceMessage",
    "video__clip": "VideoMessage",
    "shortvideo__clip": "ShortVideoMessage",
    "location__message": "LocationMessage",
    "link__article": "LinkMessage",
    "event__subscribe": "SubscribeEvent",
    "event__subscribe_scene": "SubscribeScanEvent",
    "event__unsubscribe": "UnsubscribeEvent",
    "event__scan": "ScanEvent",
    "event__location": "LocationEvent",
    "event__click": "ClickEvent",
    "event__view": "ViewEvent",
    "event__scancode_push": "ScanCodePushEvent",
    "event__scancode_waitmsg": "ScanCodeWaitMsgEvent",
    "event__pic_sysphoto": "PicSysPhotoEvent",
    "event__pic_photo_or_album": "PicPhotoOrAlbumEvent",
    "event__pic_weixin": "PicWeChatEvent",
    "event__location_select": "LocationSelectEvent",
    "event__templatesendjobfinish": "TemplateSendJobFinishEvent",
    "event__masssendjobfinish": "MassSendJobFinishEvent",
    "miniprogrampage__card": "MiniProgramPageMessage",
    "event__user_get_card": "UserGetCardEvent",
}
# Events newer than wechatpy (1.8): the fixture follows WeChat's documentation and the XML
# its developers' forum shows actually arriving (PUBLISHJOBFINISH, 2021).
NEWER_THAN_WECHATPY = {"event__publishjobfinish"}


def test_every_fixture_is_checked_against_wechatpy():
    assert sorted([*WECHATPY, *NEWER_THAN_WECHATPY]) == fixture_names()


@pytest.mark.parametrize("name", sorted(NEWER_THAN_WECHATPY))
def test_wechatpy_reads_the_newer_events_envelope_as_we_do(name):
    theirs = parse_message(fixture(name))
    ours = normalise(xml.parse(fixture(name).encode()))
    assert type(theirs).__name__ == "UnknownMessage"
    assert (theirs.source, theirs.target, theirs.time) == (
        ours.openid,
        ours.account_name,
        ours.create_time,
    )


@pytest.mark.parametrize("name", sorted(WECHATPY))
def test_wechatpy_reads_each_fixture_as_the_type_we_do(name):
    theirs = parse_message(fixture(name))
    ours = normalise(xml.parse(fixture(name).encode()))
    assert type(theirs).__name__ == WECHATPY[name]
    assert theirs.source == ours.openid
    assert theirs.target == ours.account_name
    assert theirs.time == ours.create_time
    if ours.is_event:
        # wechatpy names a follow through a QR code subscribe_scan; on the wire it is subscribe.
        assert theirs.event.replace("subscribe_scan", "subscribe") == ours.event
    else:
        assert theirs.type == ours.msg_type
        assert (theirs.id or 0) == int(ours.msg_id)


def test_the_fixtures_cover_every_message_and_event_type():
    seen = [normalise(xml.parse(fixture(n).encode())) for n in fixture_names()]
    assert {m.msg_type for m in seen if not m.is_event} >= MESSAGE_TYPES
    assert {m.event for m in seen if m.is_event} >= EVENTS


def test_menu_event_details_survive_parsing():
    push = xml.parse(fixture("event__scancode_push").encode())
    assert push["ScanCodeInfo"] == {
        "ScanType": "qrcode",
        "ScanResult": "https://carebridge.example.cn/checkin/A12",
    }
    pics = xml.parse(fixture("event__pic_photo_or_album").encode())["SendPicsInfo"]
    assert pics["Count"] == "2"
    assert [p["PicMd5Sum"] for p in pics["PicList"]] == [
        "5a75aaca956d97be686719218f275c6b",
        "8e3d3e4f0c6b3ba4e6e3ef2cd3bd4bb1",
    ]
    place = xml.parse(fixture("event__location_select").encode())["SendLocationInfo"]
    assert place["Poiname"] == "人民广场"


def test_a_qr_follow_and_a_scan_name_the_same_scene():
    follow = normalise(xml.parse(fixture("event__subscribe_scene").encode()))
    scan = normalise(xml.parse(fixture("event__scan").encode()))
    plain = normalise(xml.parse(fixture("event__subscribe").encode()))
    assert follow.scene == scan.scene == "outpatient_hall"
    assert plain.scene == ""


def test_a_voice_message_reads_as_its_recognition_without_final_punctuation():
    voice = normalise(xml.parse(fixture("voice__recognition").encode()))
    assert voice.text == "挂号"
    raw = dict(voice.raw, Recognition="我要挂号。")
    assert normalise(raw).text == "我要挂号"
    assert normalise(xml.parse(fixture("voice__plain").encode())).text == ""


def base(**fields):
    message = {
        "ToUserName": "gh_renai0000001",
        "FromUserName": "o_alice",
        "CreateTime": "1700000000",
        "MsgType": "event",
        "Event": "CLICK",
        "EventKey": "ABOUT",
    }
    message.update(fields)
    return {k: v for k, v in message.items() if v is not None}


def test_messages_are_deduplicated_by_msgid_and_events_by_sender_time_event_and_key():
    assert normalise(base(MsgType="text", MsgId="42", Event=None)).dedup_key == "msg:42"
    click = normalise(base()).dedup_key
    assert click == "evt:o_alice:1700000000:click:ABOUT"
    assert normalise(base(EventKey="OTHER")).dedup_key != click
    assert normalise(base(CreateTime="1700000001")).dedup_key != click
    assert normalise(base(FromUserName="o_bob")).dedup_key != click


def test_a_long_event_key_still_gives_a_bounded_dedup_key():
    url = "https://carebridge.example.cn/" + "x" * 1000
    key = normalise(base(Event="VIEW", EventKey=url)).dedup_key
    assert len(key) <= 200
    assert key != normalise(base(Event="VIEW", EventKey=url + "y")).dedup_key


@pytest.mark.parametrize(
    "fields,reason",
    [
        ({"FromUserName": None}, "FromUserName"),
        ({"ToUserName": ""}, "ToUserName"),
        ({"MsgType": None}, "MsgType"),
        ({"CreateTime": "-5"}, "CreateTime"),
        ({"CreateTime": "１７００"}, "CreateTime"),  # full-width digits are no Unix time
        ({"Event": ""}, "Event"),
        ({"MsgType": "text", "MsgId": "4 2"}, "MsgId"),
        ({"FromUserName": {"nested": "x"}}, "FromUserName"),
    ],
)
def test_a_malformed_envelope_is_refused_with_the_field_named(fields, reason):
    with pytest.raises(Malformed, match=reason):
        normalise(base(**fields))


def test_event_names_are_compared_in_lower_case():
    assert normalise(base(Event="SCAN", EventKey="7")).scene == "7"
    assert normalise(base(Event="LOCATION")).event == "location"


def test_keywords_fold_width_case_and_outer_space():
    assert fold("  ＣＴ检查\u3000") == "ct检查"
