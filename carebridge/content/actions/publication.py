"""Publication of a scheduled article when its time comes (the outbox row's handler)."""

from django.db import transaction
from django.utils import timezone

from ..choices import ArticleKind, ArticleState
from ..models import Article
from ..signals import article_published
from .profiles import apply_profile_update
from .workflow import _log


@transaction.atomic
def publish_due_article(article_id: int, now=None) -> bool:
    """Publish a scheduled article whose time has come (the outbox row's handler). A row for an
    earlier schedule, or for an article sent back since, changes nothing."""
    now = now or timezone.now()
    moved = Article.objects.filter(
        pk=article_id, state=ArticleState.SCHEDULED, published_at__lte=now
    ).update(state=ArticleState.PUBLISHED, is_published=True, updated_at=now)
    if moved:
        article = Article.objects.select_related("doctor").get(pk=article_id)
        if article.kind == ArticleKind.DOCTOR_PROFILE:
            apply_profile_update(article)
        _log(article, "publish", ArticleState.SCHEDULED, None, now=now)
        article_published.send(sender=Article, articles=[article])
    return bool(moved)
