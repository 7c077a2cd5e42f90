"""Staff write to a follower as customer service from the back office: WeChat's window rules are
checked before anything is queued, and a refusal is a form error that sends nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from carebridge.institutions.models import Institution, StaffMember
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.actions.service_window import open_grant
from carebridge.wechat.models import CsGrant, Follower
from carebridge.wechat.models.followers import GrantKind

from .outgoing_helpers import ALICE, BOB

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(account):
    """Alice wrote to the account an hour ago: five messages allowed for 48 hours."""
    follower = Follower.objects.create(account=account, openid=ALICE, subscribed=True)
    open_grant(follower, GrantKind.MESSAGE, at=timezone.now() - timedelta(hours=1))
    return follower


@pytest.fixture
def bob(account):
    """Bob follows but last wrote three days ago: the window is closed."""
    follower = Follower.objects.create(account=account, openid=BOB, subscribed=True)
    open_grant(follower, GrantKind.MESSAGE, at=timezone.now() - timedelta(days=3))
    return follower


def url(follower):
    return reverse("admin:wechat_follower_message", args=[follower.pk])


def test_the_follower_page_offers_to_write_to_them(operations, alice):
    page = operations.get(reverse("admin:wechat_follower_change", args=[alice.pk]))
    assert url(alice).encode() in page.content


def test_a_message_inside_the_window_is_queued(operations, alice):
    assert "可以发送客服消息" in operations.get(url(alice)).content.decode()
    response = operations.post(url(alice), {"text": "您的检验报告已出，请到门诊二楼领取。"})
    assert response.status_code == 302
    row = OutboxMessage.objects.get(topic="wechat.custom")
    assert row.payload["openid"] == ALICE
    assert row.payload["message"] == {
        "msgtype": "text",
        "text": {"content": "您的检验报告已出，请到门诊二楼领取。"},
    }
    assert CsGrant.objects.get(follower=alice).used == 1


def test_outside_the_window_the_form_says_why_and_nothing_is_queued(operations, bob):
    page = operations.get(url(bob)).content.decode()
    assert "微信不允许此时发送客服消息" in page
    response = operations.post(url(bob), {"text": "您好"})
    assert response.status_code == 200
    assert "该用户近期没有与公众号互动" in str(response.context["form"].errors["text"])
    assert not OutboxMessage.objects.exists()


def test_the_sixth_message_after_a_users_message_is_refused(operations, alice):
    for n in range(5):
        assert operations.post(url(alice), {"text": f"第 {n + 1} 条"}).status_code == 302
    response = operations.post(url(alice), {"text": "第 6 条"})
    assert response.status_code == 200 and response.context["form"].errors
    assert OutboxMessage.objects.count() == 5


@pytest.mark.parametrize("text", ["", "   ", "长" * 683])  # 683 × 3 bytes > 2048
def test_an_empty_or_oversized_message_is_a_form_error(operations, alice, text):
    response = operations.post(url(alice), {"text": text})
    assert response.status_code == 200 and response.context["form"].errors
    assert not OutboxMessage.objects.exists()
    assert CsGrant.objects.get(follower=alice).used == 0


def test_an_unfollowed_user_cannot_be_written_to(operations, alice):
    Follower.objects.filter(pk=alice.pk).update(subscribed=False)
    response = operations.post(url(alice), {"text": "您好"})
    assert "未关注公众号" in str(response.context["form"].errors["text"])
    assert not OutboxMessage.objects.exists()


def test_staff_of_another_institution_cannot_write_to_our_followers(client, alice):
    other = Institution.objects.create(slug="kangning", name="康宁社区卫生服务中心")
    clerk = User.objects.create_user("kn-clerk", password="x-long-password-2", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__endswith="_follower"))
    StaffMember.objects.create(user=clerk, institution=other)
    client.force_login(clerk)
    assert client.post(url(alice), {"text": "您好"}).status_code == 404
    assert not OutboxMessage.objects.exists()


def test_staff_who_may_only_view_followers_cannot_write(client, account, alice):
    clerk = User.objects.create_user("viewer", password="x-long-password-3", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_follower"))
    StaffMember.objects.create(user=clerk, institution=account.institution)
    client.force_login(clerk)
    assert client.post(url(alice), {"text": "您好"}).status_code == 403
    assert not OutboxMessage.objects.exists()
