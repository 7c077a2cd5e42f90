"""A question arrives: by chat (no keyword matched, the default reply is the consultation
action) or from the H5 form. Urgent words get the emergency reply at any hour; an approved FAQ
close enough answers at once; everything else is routed and its clock started."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from carebridge.engagement import consult_faq
from carebridge.engagement.actions.consultations import (
    ESCALATE_TOPIC,
    REMIND_TOPIC,
    receive_question,
    request_person,
)
from carebridge.engagement.models import (
    Consultation,
    ConsultChannel,
    ConsultMessage,
    ConsultPolicy,
    ConsultStatus,
    Faq,
    MessageKind,
    RoutedBy,
)
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.models import AutoReply
from carebridge.wechat.models.routing import ReplyType, Trigger
from carebridge.wechat.tests.callback_helper import WeChatCallbacks

pytestmark = pytest.mark.django_db


@pytest.fixture
def wx(client, account, settings, depts):
    AutoReply.objects.create(
        account=account, trigger=Trigger.DEFAULT, reply_type=ReplyType.ACTION, action="consultation"
    )
    return WeChatCallbacks(client, account, settings)


@pytest.fixture
def parking(hospital):
    faq = Faq.objects.create(
        institution=hospital,
        key="parking",
        question="医院停车方便吗？",
        answer="院内地下停车场，就诊凭挂号凭证免费2小时。",
        approved=True,
    )
    consult_faq.refresh_vector(faq)
    return faq


def test_a_chat_message_no_keyword_matches_becomes_a_routed_consultation(wx, alice, depts):
    reply = wx.check_callback("text__question", Content="最近老是心慌胸闷，要挂什么号")
    c = Consultation.objects.get()
    assert (c.follower, c.department, c.routed_by) == (alice, depts["心血管内科"], RoutedBy.RULES)
    assert c.channel == ConsultChannel.WECHAT and c.status == ConsultStatus.OPEN
    assert "心血管内科" in reply["Content"] and f"/consultations/{c.pk}/" in reply["Content"]
    assert c.due_at is not None
    topics = set(OutboxMessage.objects.values_list("topic", flat=True))
    assert {REMIND_TOPIC, ESCALATE_TOPIC} <= topics


def test_the_question_is_encrypted_at_rest(wx, alice):
    wx.check_callback("text__question", Content="我的腰疼了三天")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT question FROM engagement_consultation")
        (stored,) = cursor.fetchone()
    assert "腰疼" not in stored


def test_a_first_message_from_a_new_follower_is_recorded(wx):
    wx.check_callback("text__question", Content="孩子咳嗽一周了")
    assert Consultation.objects.get().follower.openid == "o_alice_0000000000000000000"


def test_a_picture_is_asked_to_be_written(wx, alice):
    reply = wx.check_callback("image__photo")
    assert "/ask/" in reply["Content"]
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("hour", [3, 14])
def test_urgent_words_get_the_emergency_reply_and_a_flag_at_any_hour(alice, account, depts, hour):
    sunday = timezone.make_aware(datetime(2026, 11, 22, hour, 0))
    received = receive_question(
        account, alice, "我爸突然胸痛出冷汗", ConsultChannel.WECHAT, at=sunday
    )
    assert "120" in received.reply and "急诊" in received.reply
    c = received.consultation
    assert c.urgent and c.status == ConsultStatus.OPEN
    assert c.messages.filter(kind=MessageKind.AUTO).exists()


def test_urgent_words_are_editable(alice, account, hospital, depts):
    ConsultPolicy.objects.filter(institution=hospital).update(urgent_words="晕倒")
    assert receive_question(account, alice, "奶奶在家晕倒了", ConsultChannel.H5).consultation.urgent
    assert not receive_question(account, alice, "有点胸痛", ConsultChannel.H5).consultation.urgent


def test_an_faq_answers_at_once_marked_automatic(alice, account, depts, parking):
    received = receive_question(account, alice, "开车去医院停车方便吗", ConsultChannel.WECHAT)
    c = received.consultation
    assert received.reply.startswith("【自动回复】") and parking.answer in received.reply
    assert "转人工" in received.reply
    assert (c.status, c.faq, c.due_at) == (ConsultStatus.AUTO, parking, None)


def test_still_need_a_person_starts_the_clock_once(alice, account, depts, parking):
    c = receive_question(account, alice, "开车去医院停车方便吗", ConsultChannel.WECHAT).consultation
    assert request_person(c)
    c.refresh_from_db()
    assert c.status == ConsultStatus.OPEN and c.due_at is not None
    assert not request_person(c)


def test_an_unapproved_faq_is_never_given(alice, account, depts, parking):
    Faq.objects.update(approved=False)
    c = receive_question(account, alice, "医院停车方便吗？", ConsultChannel.WECHAT).consultation
    assert c.status == ConsultStatus.OPEN and c.faq is None


@pytest.mark.parametrize("text", ["", "   ", None, "问" * 1001])
def test_an_empty_or_overlong_question_is_refused_and_changes_nothing(alice, account, depts, text):
    with pytest.raises(ValidationError) as caught:
        receive_question(account, alice, text, ConsultChannel.H5)
    assert "question" in caught.value.message_dict
    assert not Consultation.objects.exists() and not ConsultMessage.objects.exists()


def test_another_accounts_patient_is_refused(alice, bob_self, account, depts):
    with pytest.raises(ValidationError) as caught:
        receive_question(account, alice, "腰疼", ConsultChannel.H5, patient=bob_self)
    assert "patient" in caught.value.message_dict
    assert not Consultation.objects.exists()


def test_the_consult_click_tells_how_to_ask(client, account, settings, alice):
    AutoReply.objects.create(
        account=account,
        trigger=Trigger.CLICK,
        pattern="CONSULT",
        reply_type=ReplyType.ACTION,
        action="consult_prompt",
    )
    wx = WeChatCallbacks(client, account, settings)
    reply = wx.check_callback("event__click", EventKey="CONSULT")
    assert "/ask/" in reply["Content"] and "120" in reply["Content"]


def test_wechats_retry_of_the_same_message_records_one_consultation(wx, alice):
    first = wx.check_callback("text__question", Content="膝盖疼", MsgId="24300000000000077")
    wx.check_callback("text__question", Content="膝盖疼", MsgId="24300000000000077")
    assert Consultation.objects.count() == 1
    assert "骨科" in first["Content"]


def test_an_overlong_chat_question_is_answered_with_the_limit(wx, alice):
    reply = wx.check_callback("text__question", Content="问" * 1001)
    assert "1000" in reply["Content"]
    assert not Consultation.objects.exists()
