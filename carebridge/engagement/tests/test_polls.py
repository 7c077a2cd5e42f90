"""医院调研投票: one vote per user, counts kept in the vote's transaction and shown live, bad
input refused, another hospital's poll not found."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.engagement.models import Poll, PollVote

pytestmark = pytest.mark.django_db


def make_poll(institution, **fields) -> Poll:
    fields.setdefault("opens_at", timezone.now() - timedelta(days=1))
    fields.setdefault("is_published", True)
    poll = Poll.objects.create(institution=institution, question="优先开设哪项服务?", **fields)
    for position, text in enumerate(["夜间门诊", "线上复诊"]):
        poll.options.create(position=position, text=text)
    return poll


@pytest.fixture
def poll(hospital):
    return make_poll(hospital)


def test_a_user_votes_once_and_sees_the_counts(alice_client, alice, bob_client, bob, poll):
    evening, online = poll.options.all()
    path = f"/h5/renai/polls/{poll.pk}/"
    assert alice_client.post(path, {"option": evening.pk}).status_code == 302
    again = alice_client.post(path, {"option": online.pk})
    assert again.status_code == 409 and "您已投过票" in again.content.decode()
    assert bob_client.post(path, {"option": evening.pk}).status_code == 302
    evening.refresh_from_db(), online.refresh_from_db()
    assert (evening.votes, online.votes) == (2, 0)
    assert PollVote.objects.count() == 2
    page = alice_client.get(path).content.decode()
    assert "您已投票" in page and "100%" in page
    counts = alice_client.get(f"{path}counts/").json()
    assert counts == {"options": {str(evening.pk): 2, str(online.pk): 0}, "total": 2}


def test_votes_name_nobody(alice_client, alice, poll):
    alice_client.post(f"/h5/renai/polls/{poll.pk}/", {"option": poll.options.first().pk})
    vote = PollVote.objects.get()
    assert len(vote.respondent_key) == 64 and alice.openid not in vote.respondent_key
    assert not hasattr(vote, "follower")


@pytest.mark.parametrize("option", ["", "abc", "999999"])
def test_a_bad_option_is_refused(alice_client, poll, option):
    response = alice_client.post(f"/h5/renai/polls/{poll.pk}/", {"option": option})
    assert response.status_code == 400 and "请选择一个选项" in response.content.decode()
    assert not PollVote.objects.exists()


def test_another_polls_option_is_refused(alice_client, poll, hospital):
    other = make_poll(hospital)
    response = alice_client.post(
        f"/h5/renai/polls/{poll.pk}/", {"option": other.options.first().pk}
    )
    assert response.status_code == 400 and not PollVote.objects.exists()


def test_a_closed_poll_shows_its_counts_and_takes_no_vote(alice_client, hospital):
    closed = make_poll(hospital, closes_at=timezone.now() - timedelta(minutes=1))
    path = f"/h5/renai/polls/{closed.pk}/"
    assert "投票已结束" in alice_client.get(path).content.decode()
    response = alice_client.post(path, {"option": closed.options.first().pk})
    assert response.status_code == 400 and not PollVote.objects.exists()


def test_another_hospitals_or_an_unpublished_poll_is_not_found(
    alice_client, hospital, other_hospital
):
    theirs = make_poll(other_hospital)
    draft = make_poll(hospital, is_published=False)
    for poll in (theirs, draft):
        assert alice_client.get(f"/h5/renai/polls/{poll.pk}/").status_code == 404
        assert alice_client.get(f"/h5/renai/polls/{poll.pk}/counts/").status_code == 404
        option = poll.options.first().pk
        assert (
            alice_client.post(f"/h5/renai/polls/{poll.pk}/", {"option": option}).status_code == 404
        )
    assert not PollVote.objects.exists()
