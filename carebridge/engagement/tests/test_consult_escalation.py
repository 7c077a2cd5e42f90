"""The SLA's reminder before the due time and the escalation to operations at it, run by the
outbox worker on a simulated clock; an answered consultation is neither reminded nor
escalated, and a second run changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.engagement.actions.consultations import receive_question, reply_consultation
from carebridge.engagement.consult_sla import add_working_minutes
from carebridge.engagement.models import ConsultChannel, ConsultPolicy, MessageKind
from carebridge.outbox.tests.clock import Clock

from .consult_helpers import drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def asked(alice, account, depts):
    return receive_question(
        account, alice, "膝盖疼上下楼更明显", ConsultChannel.WECHAT
    ).consultation


def test_the_department_is_reminded_before_and_operations_told_after(asked, clock, hospital):
    policy = ConsultPolicy.objects.get(institution=hospital)
    remind_at = add_working_minutes(
        asked.created_at, policy.sla_minutes - policy.reminder_minutes, policy
    )
    clock.advance(remind_at - timezone.now() - timedelta(minutes=1))
    drain()
    asked.refresh_from_db()
    assert asked.reminded_at is None
    clock.advance(minutes=2)
    drain()
    asked.refresh_from_db()
    assert asked.reminded_at is not None and asked.escalated_at is None
    clock.advance(asked.due_at - timezone.now() + timedelta(minutes=1))
    drain()
    asked.refresh_from_db()
    assert asked.escalated_at is not None
    events = list(asked.messages.filter(kind=MessageKind.EVENT).values_list("text", flat=True))
    assert len(events) == 2
    assert asked.minutes_left() < 0


def test_an_answered_consultation_is_never_escalated(asked, clock, dr_chen):
    reply_consultation(asked, dr_chen, "建议骨科门诊就诊。")
    clock.advance(days=30)
    drain()
    asked.refresh_from_db()
    assert asked.reminded_at is None and asked.escalated_at is None


def test_the_inbox_puts_the_waiting_and_soonest_due_first(alice, account, depts, dr_chen):
    from carebridge.engagement.models import Consultation

    now = timezone.now()
    first = receive_question(
        account, alice, "腰疼三天", ConsultChannel.H5, at=now - timedelta(days=3)
    )
    second = receive_question(account, alice, "扭伤了脚", ConsultChannel.H5, at=now)
    done = receive_question(
        account, alice, "骨折复查", ConsultChannel.H5, at=now - timedelta(days=9)
    )
    reply_consultation(done.consultation, dr_chen, "好的")
    order = list(Consultation.objects.inbox_order().values_list("pk", flat=True))
    assert order == [first.consultation.pk, second.consultation.pk, done.consultation.pk]
