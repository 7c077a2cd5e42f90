"""The WeChat reply stating booking's rules takes them from the institution's BookingPolicy
(booking/replies.py), so a change of policy changes what patients are told."""

from datetime import time

import pytest
from django.utils import translation

from carebridge.booking.models import BookingPolicy
from carebridge.booking.replies import before_the_session
from carebridge.wechat import router
from carebridge.wechat.models import AutoReply
from carebridge.wechat.models.routing import ReplyType, Trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(account):
    return AutoReply.objects.create(
        account=account,
        trigger=Trigger.KEYWORD,
        match_type="contains",
        pattern="挂号",
        reply_type=ReplyType.ACTION,
        action="booking_rules",
    )


def reply_to(account, text="我想挂号") -> str:
    return router.preview(account, "text", text).answer


def test_the_reply_states_the_default_policy(account, rule, settings):
    settings.SITE_URL = "https://wx.example.cn"
    reply = reply_to(account)
    assert '<a href="https://wx.example.cn/h5/renai/booking/">预约挂号</a>' in reply
    assert "可预约7天内的号源，每日07:00放号" in reply
    assert "如需取消，最晚请在出诊开始前2小时操作。" in reply
    assert "17:00" not in reply


def test_changing_the_policy_changes_the_reply(account, rule):
    BookingPolicy.objects.create(
        institution=account.institution,
        release_days_ahead=14,
        release_time=time(8, 30),
        cancel_before_minutes=90,
    )
    reply = reply_to(account)
    assert "可预约14天内的号源，每日08:30放号" in reply
    assert "出诊开始前90分钟" in reply


def test_same_day_release_and_no_cancellation_deadline_are_said_plainly(account, rule):
    BookingPolicy.objects.create(
        institution=account.institution, release_days_ahead=0, cancel_before_minutes=0
    )
    reply = reply_to(account)
    assert "只可预约当日号源，07:00放号" in reply
    assert "如需取消，请在出诊开始前操作。" in reply


@pytest.mark.parametrize(
    "minutes, zh, en",
    [(120, "2小时", "2 hours"), (60, "1小时", "1 hour"), (90, "90分钟", "90 minutes"),
     (1440, "1天", "1 day"), (2880, "2天", "2 days"), (30, "30分钟", "30 minutes")],
)  # fmt: skip
def test_the_deadline_reads_in_the_largest_whole_unit(minutes, zh, en):
    assert before_the_session(minutes) == zh
    with translation.override("en"):
        assert before_the_session(minutes) == en


def test_the_reply_speaks_english_to_an_english_reader(account, rule):
    with translation.override("en"):
        reply = reply_to(account)
    assert "Places open up to 7 days ahead, at 07:00 each day" in reply
    assert "cancel at least 2 hours before the session starts" in reply
