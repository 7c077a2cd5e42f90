"""Races on the real database (SQLite file or PostgreSQL): reviewers claiming one article
together, and two likes of one user at once."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from carebridge.content.actions import (
    WorkflowError,
    approve_proofreading,
    claim_review,
    submit_draft,
    toggle_like,
)
from carebridge.content.models import Article, ArticleLike
from carebridge.tests.threads import run_together
from carebridge.wechat.models import Follower

from .workflow_personas import EditorialRole, member

pytestmark = pytest.mark.django_db(transaction=True)


def test_of_reviewers_claiming_together_one_wins(hospital, draft, erin, harry, olivia, oscar):
    submit_draft(erin, draft)
    approve_proofreading(harry, draft)
    third = member("otto", hospital, EditorialRole.OPERATIONS)

    def claim(username):
        user = get_user_model().objects.get(username=username)
        try:
            claim_review(user, Article.objects.get(pk=draft.pk))
            return "won"
        except WorkflowError as error:
            return error.code

    outcomes = run_together(claim, [("olivia",), ("oscar",), (third.username,)])
    assert Counter(outcomes) == {"won": 1, "claimed": 2}
    assert Article.objects.get(pk=draft.pk).claimed_by.username in {"olivia", "oscar", "otto"}


def test_one_user_liking_twice_at_once_leaves_at_most_one_like(account, publish):
    article = publish("院庆")
    follower = Follower.objects.create(account=account, openid="o_race")

    def tap():
        return toggle_like(Follower.objects.get(pk=follower.pk), Article.objects.get(pk=article.pk))

    run_together(tap, [(), ()])
    likes = ArticleLike.objects.count()
    assert likes <= 1 and Article.objects.get().likes == likes
