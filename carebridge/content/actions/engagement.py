"""Patients' reads and likes of an article (seed 000 compares accounts by both)."""

from django.db import IntegrityError, transaction
from django.db.models import F

from .. import reads
from ..models import Article, ArticleLike


def count_read(article: Article) -> int:
    """One more read of the article. Counted in memory and written within seconds, with the
    others, by one UPDATE per article (reads.py); returns the reads this process has counted
    and not yet written, this one included, to add to the row's count it shows."""
    return reads.add(article.pk)


@transaction.atomic
def toggle_like(follower, article: Article) -> bool:
    """Like the article, or withdraw the like already given; True when it is now liked. The
    unique constraint keeps one like per WeChat user even when two taps race."""
    try:
        with transaction.atomic():
            ArticleLike.objects.create(article=article, follower=follower)
    except IntegrityError:
        deleted, _ = ArticleLike.objects.filter(article=article, follower=follower).delete()
        if deleted:
            Article.objects.filter(pk=article.pk, likes__gt=0).update(likes=F("likes") - 1)
        return False
    Article.objects.filter(pk=article.pk).update(likes=F("likes") + 1)
    return True
