"""Published articles also go to each of the institution's WeChat accounts' own page (draft →
freepublish: wechat.actions.publish carries it), once per article and account."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from carebridge.content.choices import ArticleKind
from carebridge.institutions.models import WeChatAccount
from carebridge.wechat.actions.publish import free_publish
from carebridge.wechat.models.publish import PublishStatus

from ..models import AccountPagePost

# What 医院动态 lists: news, notices (duty rosters among them) and health education. About pages
# and doctor-profile updates are not articles of the account's page.
PUSHED_KINDS = frozenset(ArticleKind.listed_under(None))


@transaction.atomic
def push_to_account_pages(articles) -> list[AccountPagePost]:
    """Queue each article for its institution's accounts' own pages; an article already pushed
    to an account (published, withdrawn and published again) is not pushed twice."""
    posts = []
    for article in articles:
        if article.kind not in PUSHED_KINDS:
            continue
        accounts = WeChatAccount.objects.filter(institution_id=article.institution_id)
        for account in accounts.exclude(accountpagepost__article=article):
            posts += _push(article, account)
    return posts


def _fields(article) -> dict:
    return {
        "title": article.title,
        "content": article.body,
        "author": article.author,
        "digest": article.summary,
        "cover": article.cover.name if article.cover else "",
    }


def _push(article, account) -> list[AccountPagePost]:
    link = reverse("content:detail", args=[account.slug, article.pk])
    try:
        with transaction.atomic():
            # 阅读原文 leads to the article on our H5 page.
            publish = free_publish(account, **_fields(article), source_url=settings.SITE_URL + link)
            post = AccountPagePost.objects.create(
                institution_id=article.institution_id,
                article=article,
                account=account,
                publish=publish,
            )
    except IntegrityError:  # pushed meanwhile by a concurrent publication
        return []
    return [post]


@transaction.atomic
def retry_page_posts(posts) -> int:
    """Push again the posts whose publication failed (after staff fixed the cause: a cover
    WeChat refused, the account's permission); each gets a new FreePublish, the failed one is
    kept for the record. Returns how many were queued again."""
    retried = 0
    for post in posts.select_for_update().select_related("publish", "article", "account"):
        if post.publish.status != PublishStatus.FAILED:
            continue
        article = post.article
        post.publish = free_publish(
            post.account, **_fields(article), source_url=post.publish.source_url
        )
        post.save(update_fields=["publish"])
        retried += 1
    return retried
