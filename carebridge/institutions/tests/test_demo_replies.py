"""The demo's replies state no booking rule by hand: the 挂号 keyword answers from the demo
hospital's BookingPolicy (booking/replies.py)."""

import re

import pytest

from carebridge.booking.models import BookingPolicy
from carebridge.institutions.demo import wechat
from carebridge.institutions.demo.load import load_demo
from carebridge.institutions.models import WeChatAccount
from carebridge.wechat import router
from carebridge.wechat.models import AutoReply

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"
# "7天内", "7:00放号", "取消…17:00前": a number of the booking policy written into a text.
RULE_BY_HAND = re.compile(r"\d+\s*天内|\d{1,2}[:：]\d{2}\s*放号|取消[^。<\n]*\d")


def test_the_booking_keyword_answers_with_the_policys_deadline():
    account = load_demo(SITE).account
    reply = router.preview(account, "text", "请问怎么挂号").answer
    assert "出诊开始前2小时" in reply and "就诊前一日17:00" not in reply
    policy = BookingPolicy.objects.get(institution=account.institution)
    policy.cancel_before_minutes = 24 * 60
    policy.save(update_fields=["cancel_before_minutes"])
    account = WeChatAccount.objects.get(pk=account.pk)  # as the next callback reads it
    assert "出诊开始前1天" in router.preview(account, "text", "挂号").answer


def test_no_demo_reply_spells_out_a_booking_rule():
    account = load_demo(SITE).account
    texts = AutoReply.objects.filter(account=account).values_list("text", flat=True)
    assert not [t for t in texts if RULE_BY_HAND.search(t)]


def test_a_reload_replaces_an_earlier_demos_unedited_reply():
    account = load_demo(SITE).account
    old = wechat.SUPERSEDED[("keyword", "挂号")].format(h5=f"{SITE}/h5/demo")
    AutoReply.objects.filter(account=account, pattern="挂号").update(
        reply_type="text", action="", text=old
    )
    load_demo(SITE)
    rule = AutoReply.objects.get(account=account, pattern="挂号")
    assert (rule.reply_type, rule.action, rule.text) == ("action", "booking_rules", "")


def test_a_reload_keeps_a_reply_staff_wrote():
    account = load_demo(SITE).account
    AutoReply.objects.filter(account=account, pattern="挂号").update(
        reply_type="text", action="", text="挂号请到一楼窗口"
    )
    load_demo(SITE)
    assert AutoReply.objects.get(account=account, pattern="挂号").text == "挂号请到一楼窗口"
