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


def _responder(hospital, account, username, department, subscribed=True):
    from django.contrib.auth.models import User

    from carebridge.engagement.models import ConsultResponder
    from carebridge.institutions.models import StaffMember
    from carebridge.wechat.models import Follower

    user = User.objects.create_user(username, is_staff=True)
    member = StaffMember.objects.create(user=user, institution=hospital)
    follower = Follower.objects.create(
        account=account, openid=f"o_{username}_00000000", subscribed=subscribed
    )
    return ConsultResponder.objects.create(staff=member, department=department, follower=follower)


def test_responders_following_the_account_are_alerted_by_wechat(
    asked, clock, hospital, account, depts
):
    """The department's responders at the reminder, operations at the escalation; never
    another department's, never one who unfollowed, and never the question's text."""
    from carebridge.wechat.models import TemplateSend

    ConsultPolicy.objects.filter(institution=hospital).update(tpl_staff_alert="TPL_ALERT")
    other = next(d for d in depts.values() if d != asked.department)
    _responder(hospital, account, "own", asked.department)
    _responder(hospital, account, "gone", asked.department, subscribed=False)
    _responder(hospital, account, "other", other)
    _responder(hospital, account, "ops", None)
    clock.advance(asked.due_at - timezone.now() - timedelta(minutes=1))
    drain()
    sent = list(TemplateSend.objects.filter(template_id="TPL_ALERT"))
    assert [s.openid for s in sent] == ["o_own_00000000"]
    clock.advance(minutes=2)
    drain()
    openids = TemplateSend.objects.filter(template_id="TPL_ALERT").values_list("openid", flat=True)
    assert sorted(openids) == ["o_ops_00000000", "o_own_00000000"]
    for send in TemplateSend.objects.filter(template_id="TPL_ALERT"):
        assert "膝盖" not in str(send.data) and asked.department.name in str(send.data)
        assert send.url.endswith(f"/admin/engagement/consultation/{asked.pk}/change/")


def test_without_the_template_only_the_inbox_flag_is_set(asked, clock, hospital, account):
    from carebridge.wechat.models import TemplateSend

    _responder(hospital, account, "own", asked.department)
    clock.advance(asked.due_at - timezone.now() + timedelta(minutes=1))
    drain()
    asked.refresh_from_db()
    assert asked.reminded_at and asked.escalated_at
    assert not TemplateSend.objects.exists()


def test_a_follower_of_another_institution_cannot_be_linked(hospital, other_hospital, depts):
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    from carebridge.engagement.models import ConsultResponder
    from carebridge.institutions.models import StaffMember
    from carebridge.wechat.models import Follower

    foreign = Follower.objects.create(
        account=other_hospital.wechat_accounts.first(), openid="o_foreign_0000000"
    )
    member = StaffMember.objects.create(
        user=User.objects.create_user("nurse", is_staff=True), institution=hospital
    )
    responder = ConsultResponder(staff=member, follower=foreign)
    with pytest.raises(ValidationError) as refused:
        responder.full_clean()
    assert "follower" in refused.value.message_dict
