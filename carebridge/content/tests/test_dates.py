"""Articles show when they were published the one way of each language."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PUBLISHED = timezone.make_aware(datetime(2026, 3, 6, 9, 30))


@pytest.fixture
def article(account, publish):
    return publish("院庆", published_at=PUBLISHED)


def pages(client, article):
    listing = client.get(reverse("content:list", args=["renai"])).content.decode()
    detail = client.get(reverse("content:detail", args=["renai", article.pk])).content.decode()
    return listing, detail


def test_in_chinese(client, article):
    listing, detail = pages(client, article)
    assert "2026年3月6日" in listing and "2026年3月6日 09:30" in detail


def test_in_english(english, article):
    listing, detail = pages(english, article)
    assert "6 Mar 2026" in listing and "6 Mar 2026 09:30" in detail
