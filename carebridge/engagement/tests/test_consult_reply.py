"""Staff's reply reaches the patient: a customer-service message inside WeChat's 48-hour window
(and its per-trigger counts), after it the template notice with a link to the answer page, and
without a template the page alone. The reply teaches the similarity router."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from carebridge.engagement.actions.consultations import (
    add_note,
    close_consultation,
    receive_question,
    reply_consultation,
    transfer_consultation,
)
from carebridge.engagement.models import (
    ConsultChannel,
    ConsultPolicy,
    ConsultStatus,
    MessageKind,
    RoutedBy,
    RoutingExample,
)
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.actions.service_window import open_grant
from carebridge.wechat.models import TemplateSend
from carebridge.wechat.models.followers import GrantKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(alice, account, depts):
    alice.subscribed = True
    alice.save(update_fields=["subscribed"])
    return receive_question(
        account, alice, "我爸血压高，降压药能停吗", ConsultChannel.WECHAT
    ).consultation


def custom_messages():
    return OutboxMessage.objects.filter(topic="wechat.custom")


def test_inside_the_window_the_reply_is_a_customer_service_message(question, alice, dr_chen):
    open_grant(alice, GrantKind.MESSAGE, at=timezone.now() - timedelta(hours=47, minutes=59))
    message = reply_consultation(question, dr_chen, "请不要自行停药，门诊复查。")
    assert message.delivered_via == "custom"
    (row,) = custom_messages()
    content = row.payload["message"]["text"]["content"]
    assert "请不要自行停药" in content and f"/consultations/{question.pk}/" in content
    question.refresh_from_db()
    assert question.status == ConsultStatus.ANSWERED and question.answered_at


def test_just_past_48_hours_the_reply_is_a_template_notice(question, alice, dr_chen):
    open_grant(alice, GrantKind.MESSAGE, at=timezone.now() - timedelta(hours=48, minutes=1))
    message = reply_consultation(question, dr_chen, "请不要自行停药。")
    assert message.delivered_via == "template"
    assert not custom_messages().exists()
    send = TemplateSend.objects.get()
    assert send.template_id == "tpl-consult-reply-1"
    assert send.url.endswith(f"/consultations/{question.pk}/")
    assert "停药" not in str(send.data)  # a lock screen shows it: no answer in the notice


def test_when_the_messages_a_chat_allows_are_spent_the_template_is_used(question, alice, dr_chen):
    grant = open_grant(alice, GrantKind.MESSAGE)
    grant.used = 5
    grant.save(update_fields=["used"])
    assert reply_consultation(question, dr_chen, "好的").delivered_via == "template"


def test_without_a_template_the_answer_waits_on_its_page(question, hospital, dr_chen):
    ConsultPolicy.objects.filter(institution=hospital).update(tpl_consult_reply="")
    assert reply_consultation(question, dr_chen, "好的").delivered_via == "page"
    assert question.messages.filter(kind=MessageKind.REPLY).exists()


def test_an_answered_question_becomes_an_example_of_its_department(question, dr_chen, depts):
    reply_consultation(question, dr_chen, "好的")
    example = RoutingExample.objects.get(consultation=question)
    assert example.department == depts["心血管内科"] and example.text == ""


@pytest.mark.parametrize("text", ["", "  ", "字" * 1501])
def test_an_empty_or_overlong_reply_is_refused(question, dr_chen, text):
    with pytest.raises(ValidationError) as caught:
        reply_consultation(question, dr_chen, text)
    assert "reply" in caught.value.message_dict
    question.refresh_from_db()
    assert question.status == ConsultStatus.OPEN


def test_a_closed_consultation_takes_no_reply_nor_transfer(question, dr_chen, depts):
    close_consultation(question, dr_chen)
    with pytest.raises(ValidationError):
        reply_consultation(question, dr_chen, "好的")
    with pytest.raises(ValidationError):
        transfer_consultation(question, dr_chen, depts["骨科"].pk)


def test_transfer_keeps_the_due_time_and_says_who_moved_it(question, ms_xu, depts):
    due = question.due_at
    transfer_consultation(question, ms_xu, depts["骨科"].pk)
    question.refresh_from_db()
    assert (question.department, question.routed_by, question.due_at) == (
        depts["骨科"],
        RoutedBy.STAFF,
        due,
    )
    assert "转至骨科" in question.messages.get(kind=MessageKind.EVENT).text


def test_transfer_to_another_institutions_department_is_refused(question, ms_xu, other_hospital):
    from carebridge.engagement.tests.consult_helpers import departments

    foreign = departments(other_hospital)["骨科"]
    with pytest.raises(ValidationError) as caught:
        transfer_consultation(question, ms_xu, foreign.pk)
    assert "transfer_to" in caught.value.message_dict


def test_a_note_is_for_staff_only(question, dr_chen):
    note = add_note(question, dr_chen, "已电话联系患者")
    assert note.kind == MessageKind.NOTE and not note.patient_visible


def test_the_first_reply_is_timed_in_working_minutes(alice, account, depts, dr_chen):
    friday_4pm = timezone.make_aware(datetime(2026, 11, 20, 16, 0))
    monday_9am = timezone.make_aware(datetime(2026, 11, 23, 9, 0))
    asked = receive_question(
        account, alice, "我爸血压高，降压药能停吗", ConsultChannel.WECHAT, at=friday_4pm
    ).consultation
    assert asked.clock_started_at == friday_4pm and asked.reply_minutes is None
    reply_consultation(asked, dr_chen, "请不要自行停药。", at=monday_9am)
    asked.refresh_from_db()
    assert asked.reply_minutes == 60 + 60  # Friday 16–17, Monday 8–9: not the weekend
    reply_consultation(asked, dr_chen, "补充：门诊复查。", at=monday_9am + timedelta(hours=3))
    asked.refresh_from_db()
    assert asked.reply_minutes == 120  # the first reply's, kept
