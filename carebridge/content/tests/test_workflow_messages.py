"""Workflow steps reach staff who follow the account by WeChat template message, through the
outbox; others only in the back office."""

import pytest

from carebridge.content.actions import submit_draft
from carebridge.content.models import EditorialMember, EditorialPolicy, Notification
from carebridge.wechat.models import Follower, TemplateSend

pytestmark = pytest.mark.django_db


@pytest.fixture
def harry_follows(account, harry):
    follower = Follower.objects.create(account=account, openid="o_harry_000000", subscribed=True)
    EditorialMember.objects.filter(staff__user=harry).update(follower=follower)
    return follower


@pytest.fixture
def template(hospital):
    return EditorialPolicy.objects.create(institution=hospital, tpl_workflow="TPL_workflow_1")


def test_a_following_head_gets_a_template_message(draft, erin, harry, harry_follows, template):
    submit_draft(erin, draft)
    send = TemplateSend.objects.get()
    assert send.openid == "o_harry_000000" and send.template_id == "TPL_workflow_1"
    assert Notification.objects.filter(user=harry).count() == 1


def test_without_a_linked_follower_only_the_back_office(draft, erin, harry, template):
    submit_draft(erin, draft)
    assert not TemplateSend.objects.exists()
    assert Notification.objects.filter(user=harry).count() == 1


def test_without_a_template_only_the_back_office(draft, erin, harry, harry_follows):
    submit_draft(erin, draft)
    assert not TemplateSend.objects.exists()


def test_an_unsubscribed_follower_gets_no_message(draft, erin, harry, harry_follows, template):
    Follower.objects.filter(pk=harry_follows.pk).update(subscribed=False)
    submit_draft(erin, draft)
    assert not TemplateSend.objects.exists()
