"""Publishing articles. The editorial workflow (review, proofreading, push calendar) comes later;
these are the writes the back office needs now."""

from django.db import transaction
from django.utils import timezone


@transaction.atomic
def publish_articles(articles, at=None) -> int:
    """Publish the articles. Those not yet published get ``at`` (default now) as their
    publication time, so an old draft does not appear in the past of the list."""
    at = at or timezone.now()
    drafts = articles.filter(is_published=False)
    return drafts.update(is_published=True, published_at=at, updated_at=timezone.now())


@transaction.atomic
def unpublish_articles(articles) -> int:
    """Withdraw the articles from the H5 pages (kept for the back office)."""
    return articles.filter(is_published=True).update(is_published=False, updated_at=timezone.now())
