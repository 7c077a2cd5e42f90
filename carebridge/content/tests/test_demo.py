"""The demo's year of articles: seed 000's proportions, every workflow state, idempotent."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carebridge.content.demo import load_articles
from carebridge.content.models import Article, ArticleState

pytestmark = pytest.mark.django_db


def test_a_year_in_seed_000s_proportions_and_every_state(hospital, cardiology, paediatrics):
    made = load_articles(hospital)
    assert len(made) == Article.objects.count() > 150
    published = Article.objects.filter(state=ArticleState.PUBLISHED)
    shares = Counter(published.values_list("category", flat=True))
    assert shares["health"] / published.count() == pytest.approx(0.556, abs=0.01)
    assert set(Article.objects.values_list("state", flat=True)) == set(ArticleState.values)
    assert Article.objects.filter(department=paediatrics).exists()
    assert load_articles(hospital) == []


def test_the_pages_show_them(account, hospital, cardiology, paediatrics, client):
    load_articles(hospital)
    listing = client.get(reverse("content:list", args=["renai"]), {"category": "education"})
    assert listing.status_code == 200 and len(listing.context["page"]) == 15
    operator = Client()
    operator.force_login(get_user_model().objects.create_superuser("op", password="x"))
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    progress = operator.get(reverse("admin:content_article_progress"), {"month": last_month})
    assert progress.status_code == 200 and progress.context["rows"][0].rank == 1
