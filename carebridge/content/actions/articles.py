"""Operations' shortcuts in the back office: publish or withdraw articles at once, outside the
review (a notice that cannot wait). The admin offers them only to operations."""

from django.db import transaction
from django.utils import timezone

from ..choices import ArticleState


@transaction.atomic
def publish_articles(articles, at=None) -> int:
    """Publish the articles. Those not yet published get ``at`` (default now) as their
    publication time, so an old draft does not appear in the past of the list."""
    at = at or timezone.now()
    drafts = articles.filter(is_published=False)
    return drafts.update(
        is_published=True,
        published_at=at,
        state=ArticleState.PUBLISHED,
        due_at=None,
        updated_at=timezone.now(),
    )


@transaction.atomic
def unpublish_articles(articles) -> int:
    """Withdraw the articles from the H5 pages (kept for the back office, back in review)."""
    return articles.filter(is_published=True).update(
        is_published=False, state=ArticleState.REVIEWING, updated_at=timezone.now()
    )
