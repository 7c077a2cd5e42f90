"""Followers brought in line with WeChat's user list (user/get paging + user/info/batchget)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from carebridge.sandbox.wxapi import users as sandbox_users
from carebridge.wechat.actions import followers_sync
from carebridge.wechat.actions.followers_sync import sync_followers
from carebridge.wechat.models import Follower

from .outgoing_helpers import ALICE, BOB, CAROL, phone_does, phone_user

pytestmark = pytest.mark.django_db(transaction=True)
DAVE = "o_dave_000000000000000000000"
ERIN = "o_erin_000000000000000000000"


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 and batches of 2, so five followers take several of each."""
    monkeypatch.setattr(sandbox_users, "PAGE", 2)
    monkeypatch.setattr(followers_sync, "BATCH", 2)


def test_it_creates_refreshes_and_retires_followers(sandbox, account, small_pages):
    for openid in (ALICE, BOB, DAVE, ERIN):
        phone_user(account, openid, unionid=f"u_{openid[2:7]}")
    phone_user(account, CAROL, subscribed=False)
    phone_does(
        account, DAVE, {"MsgType": "event", "Event": "subscribe", "EventKey": "qrscene_lobby"}
    )
    Follower.objects.create(account=account, openid=ALICE, subscribed=False)
    gone = Follower.objects.create(
        account=account,
        openid=CAROL,
        subscribed=True,
        subscribed_at=timezone.now() - timedelta(days=9),
    )

    result = sync_followers(account)

    assert (result.followers, result.created, result.unsubscribed) == (4, 3, 1)
    following = Follower.objects.filter(account=account, subscribed=True)
    assert sorted(following.values_list("openid", flat=True)) == sorted([ALICE, BOB, DAVE, ERIN])
    alice = Follower.objects.get(openid=ALICE)
    assert alice.unionid == "u_alice" and alice.subscribed_at is not None
    assert Follower.objects.get(openid=DAVE).source_scene == "lobby"
    gone.refresh_from_db()
    assert not gone.subscribed and gone.unsubscribed_at is not None


def test_running_it_again_changes_nothing(sandbox, account, small_pages):
    for openid in (ALICE, BOB, DAVE):
        phone_user(account, openid)
    sync_followers(account)
    again = sync_followers(account)
    assert (again.followers, again.created, again.unsubscribed) == (3, 0, 0)


def test_someone_who_follows_during_the_sync_is_not_retired(sandbox, account):
    phone_user(account, ALICE)
    newcomer = Follower.objects.create(
        account=account,
        openid=BOB,
        subscribed=True,
        subscribed_at=timezone.now() + timedelta(seconds=5),
    )
    sync_followers(account)
    newcomer.refresh_from_db()
    assert newcomer.subscribed


def test_the_command_reports_each_account(sandbox, account, capsys):
    phone_user(account, ALICE)
    call_command("sync_followers", "--account", account.slug)
    assert capsys.readouterr().out.strip() == "renai：1 位关注者，新增 1，标记取消关注 0"
