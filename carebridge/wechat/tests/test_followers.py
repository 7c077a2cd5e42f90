"""Followers kept current from events: follow, unfollow, scans, messages, menu taps, location;
the customer-service window each interaction opens; QR scene counts; send reports."""

import time
from datetime import UTC, datetime

import pytest

from carebridge.outbox import worker
from carebridge.wechat.models import CsGrant, Follower, QrScene
from carebridge.wechat.models.followers import GrantKind

from .callback_helper import WeChatCallbacks

pytestmark = pytest.mark.django_db

ALICE = "o_alice_0000000000000000000"


@pytest.fixture
def wx(client, account, settings):
    return WeChatCallbacks(client, account, settings)


def alice() -> Follower:
    worker.sweep_once()  # plain messages and menu taps are applied by the worker's next pass
    return Follower.objects.get(openid=ALICE)


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def grants() -> set[str]:
    worker.sweep_once()
    return set(CsGrant.objects.filter(follower__openid=ALICE).values_list("kind", flat=True))


def test_a_follow_records_the_follower_and_opens_the_subscribe_window(wx):
    now = int(time.time())
    wx.check_callback("event__subscribe", CreateTime=now)
    follower = alice()
    assert follower.subscribed
    assert follower.subscribed_at == at(now)
    assert follower.last_interaction_at == at(now)
    assert follower.source_scene == ""
    assert grants() == {GrantKind.SUBSCRIBE}
    assert CsGrant.objects.get().opened_at == at(now)


def test_a_follow_through_a_qr_scene_records_the_scene_and_counts_it(wx, account):
    hall = QrScene.objects.create(account=account, label="门诊大厅", scene_str="outpatient_hall")
    wx.check_callback("event__subscribe_scene")
    assert alice().source_scene == "outpatient_hall"
    hall.refresh_from_db()
    assert (hall.subscribe_count, hall.scan_count) == (1, 0)


def test_a_scan_by_a_follower_counts_the_scene_and_opens_the_scan_window(wx, account):
    hall = QrScene.objects.create(account=account, label="门诊大厅", scene_str="outpatient_hall")
    wx.check_callback("event__scan")
    hall.refresh_from_db()
    assert (hall.subscribe_count, hall.scan_count) == (0, 1)
    assert grants() == {GrantKind.SCAN}
    assert alice().subscribed  # only followers can send SCAN
    assert alice().source_scene == ""  # a scan is not where the follow came from


def test_an_unfollow_keeps_the_record_and_closes_nothing_it_cannot_reach(wx):
    now = int(time.time())
    wx.check_callback("event__subscribe", CreateTime=now - 60)
    wx.check_callback("event__unsubscribe", CreateTime=now)
    follower = alice()
    assert not follower.subscribed
    assert follower.unsubscribed_at == at(now)
    assert follower.subscribed_at == at(now - 60)
    assert follower.last_interaction_at == at(now - 60)  # unfollowing is no interaction


def test_a_new_follow_after_an_unfollow_subscribes_again_with_its_own_scene(wx):
    now = int(time.time())
    wx.check_callback("event__subscribe", CreateTime=now - 120)
    wx.check_callback("event__unsubscribe", CreateTime=now - 60)
    wx.check_callback("event__subscribe_scene", CreateTime=now)
    follower = alice()
    assert follower.subscribed
    assert follower.subscribed_at == at(now)
    assert follower.source_scene == "outpatient_hall"
    assert Follower.objects.count() == 1


def test_a_late_follow_does_not_undo_a_newer_unfollow(wx):
    now = int(time.time())
    wx.check_callback("event__unsubscribe", CreateTime=now)
    wx.check_callback("event__subscribe", CreateTime=now - 30)  # a retry that arrived late
    assert not alice().subscribed
    assert grants() == set()


def test_a_late_unfollow_does_not_undo_a_newer_follow(wx):
    now = int(time.time())
    wx.check_callback("event__subscribe", CreateTime=now)
    wx.check_callback("event__unsubscribe", CreateTime=now - 30)
    assert alice().subscribed


def test_a_message_from_an_unknown_user_records_a_follower_and_opens_the_message_window(wx):
    now = int(time.time())
    wx.check_callback("text__question", CreateTime=now)
    follower = alice()
    assert follower.subscribed
    assert follower.last_interaction_at == at(now)
    assert grants() == {GrantKind.MESSAGE}


@pytest.mark.parametrize(
    "name",
    ["image__photo", "voice__plain", "video__clip", "shortvideo__clip", "location__message",
     "link__article"],
)  # fmt: skip
def test_every_kind_of_message_opens_the_message_window(wx, name):
    wx.check_callback(name)
    assert grants() == {GrantKind.MESSAGE}


@pytest.mark.parametrize(
    "name", ["event__click", "event__scancode_push", "event__scancode_waitmsg"]
)
def test_a_menu_tap_that_pushes_to_us_opens_the_click_window(wx, name):
    wx.check_callback(name)
    assert grants() == {GrantKind.CLICK}
    assert alice().last_interaction_at is not None


@pytest.mark.parametrize(
    "name",
    ["event__view", "event__location", "event__pic_sysphoto", "event__pic_photo_or_album",
     "event__pic_weixin", "event__location_select"],
)  # fmt: skip
def test_events_that_open_no_window_leave_the_interaction_time_alone(wx, name):
    wx.check_callback(name)
    assert grants() == set()
    assert alice().last_interaction_at is None


def test_a_message_older_than_an_unfollow_does_not_subscribe_again(wx):
    now = int(time.time())
    wx.check_callback("event__unsubscribe", CreateTime=now)
    wx.check_callback("text__question", CreateTime=now - 10)
    assert not alice().subscribed
    assert grants() == set()


def test_the_interaction_time_never_goes_back(wx):
    now = int(time.time())
    wx.check_callback("text__question", CreateTime=now)
    wx.check_callback("text__keyword", CreateTime=now - 100)
    assert alice().last_interaction_at == at(now)


def test_a_create_time_in_the_future_counts_as_now(wx):
    wx.check_callback("text__question", CreateTime=int(time.time()) + 86400)
    assert alice().last_interaction_at <= datetime.now(UTC)


def test_a_location_report_is_kept(wx):
    now = int(time.time())
    wx.check_callback("event__location", CreateTime=now)
    follower = alice()
    assert (follower.latitude, follower.longitude) == (31.2281, 121.4752)
    assert follower.located_at == at(now)


def test_an_older_location_report_does_not_replace_a_newer_one(wx):
    now = int(time.time())
    wx.check_callback("event__location", CreateTime=now)
    wx.check_callback("event__location", CreateTime=now - 60, Latitude="30.0", Longitude="120.0")
    assert alice().latitude == 31.2281


@pytest.mark.parametrize(
    "latitude,longitude", [("north", "121.4"), ("91", "121.4"), ("31.2", "-181"), ("nan", "1")]
)
def test_an_impossible_location_is_ignored(wx, latitude, longitude):
    wx.check_callback("event__location", Latitude=latitude, Longitude=longitude)
    follower = alice()
    assert follower.latitude is None and follower.located_at is None


def test_each_follower_belongs_to_one_account(wx, account, hospital, client, settings):
    from carebridge.institutions.models import WeChatAccount

    other = WeChatAccount.objects.create(institution=hospital, slug="other", name="另一个号")
    WeChatCallbacks(client, other, settings).check_callback("event__subscribe")
    wx.check_callback("event__subscribe")
    assert Follower.objects.filter(openid=ALICE).count() == 2


def test_a_template_send_report_is_filed_on_its_send(wx, account):
    from carebridge.wechat.models import TemplateSend

    send = TemplateSend.objects.create(
        account=account, openid=ALICE, template_id="tmpl_visit_reminder", msgid=200163836
    )
    wx.check_callback("event__templatesendjobfinish", expect_reply={})
    send.refresh_from_db()
    assert send.delivery == "success"
    assert not Follower.objects.exists()  # a send report is not the user's interaction


def test_a_mass_send_report_is_filed_on_its_send(wx, account):
    from carebridge.wechat.models import MassSend

    mass = MassSend.objects.create(account=account, msg_id=1000001625, content={"content": "x"})
    wx.check_callback("event__masssendjobfinish", expect_reply={})
    mass.refresh_from_db()
    assert mass.report["SentCount"] == "75"
    assert mass.report["CopyrightCheckResult"]["ResultList"][0]["AuditState"] == "2"
    assert not Follower.objects.exists()


@pytest.mark.parametrize("name", ["miniprogrampage__card", "event__user_get_card"])
def test_an_unknown_type_is_logged_and_changes_no_follower(wx, name, caplog):
    wx.check_callback(name, expect_reply={})
    assert not Follower.objects.exists()
    assert any("unhandled" in r.getMessage() for r in caplog.records)
