"""Operations' shortcuts in the back office: publish or withdraw articles at once, outside the
review (a notice that cannot wait). The admin offers them only to operations."""

from django.db import transaction
from django.utils import timezone

from ..choices import ArticleState
from ..models import Article
from ..signals import article_published


@transaction.atomic
def publish_articles(articles, at=None) -> int:
    """Publish the articles. Those not yet published get ``at`` (default now) as their
    publication time, so an old draft does not appear in the past of the list."""
    at = at or timezone.now()
    ids = list(articles.filter(is_published=False).values_list("id", flat=True))
    count = Article.objects.filter(id__in=ids, is_published=False).update(
        is_published=True,
        published_at=at,
        state=ArticleState.PUBLISHED,
        due_at=None,
        updated_at=timezone.now(),
    )
    if count:
        article_published.send(sender=Article, articles=list(Article.objects.filter(id__in=ids)))
    return count


@transaction.atomic
def unpublish_articles(articles) -> int:
    """Withdraw the articles from the H5 pages (kept for the back office, back in review)."""
    return articles.filter(is_published=True).update(
        is_published=False, state=ArticleState.REVIEWING, updated_at=timezone.now()
    )
