"""医院动态 H5 pages: the article list (by category) and an article. Public, like the About
pages; only the account's institution's published articles are visible."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from carebridge.institutions.pages import institution_page, institution_row_page, page_context
from carebridge.wechat.h5 import current_user, wechat_user_required
from carebridge.wechat.jssdk import script_for

from .actions import count_read, toggle_like
from .card import article_card
from .forms import ArticleFilterForm
from .listing import article_panel
from .models import Article, ArticleKind, ArticleLike


@institution_page
def article_list(request, slug):
    form = ArticleFilterForm(request.GET)
    if not form.is_valid():
        context = page_context(request, form=form, categories=ArticleKind.tabs())
        return render(request, "content/article_list.html", context, status=400)
    category = form.cleaned_data["category"]
    # ``?category=`` names the tab (a kind) as in links already shared; About pages are
    # reached from their menu, never listed.
    articles = Article.objects.published().filter(
        institution=request.institution, kind__in=ArticleKind.listed_under(category)
    )
    panel = article_panel(
        articles,
        account=request.wechat_account,
        category=category or "",
        page_number=form.cleaned_data["page"],
    )
    context = page_context(
        request,
        form=form,
        category=category,
        category_label=ArticleKind(category).label if category else None,
        panel=panel,
    )
    return render(request, "content/article_list.html", context)


def _shown():
    """The articles 医院动态 shows (a doctor's profile has a page of its own)."""
    return Article.objects.published().exclude(kind=ArticleKind.DOCTOR_PROFILE)


def _published(request, article_id):
    return get_object_or_404(_shown(), pk=article_id, institution=request.institution)


@institution_row_page(_shown, "article_id", "article")
def article_detail(request, slug, article):
    article.reads += count_read(article)  # the row's count and this process's not yet written
    user = current_user(request, slug)
    liked = bool(
        user
        and ArticleLike.objects.filter(
            article=article, follower__account__slug=slug, follower__openid=user.openid
        ).exists()
    )
    script = script_for(request)
    context = page_context(
        request,
        article=article,
        card=article_card(article),
        liked=liked,
        # The share card only where the JS-SDK is loaded to use it (WeChat's browser).
        share=_share(request, article) if script else None,
        jssdk_script=script,
    )
    return render(request, "content/article_detail.html", context)


def _share(request, article) -> dict:
    """What a friend or Moments sees when the article is shared (JS-SDK's
    updateAppMessageShareData / updateTimelineShareData): absolute link and image."""
    link = settings.SITE_URL + request.path
    image = settings.SITE_URL + article.cover.url if article.cover else ""
    return {
        "title": article.title,
        "desc": article.summary,
        "link": link,
        "imgUrl": image,
        "config": reverse("wechat:jssdk", kwargs={"slug": request.wechat_account.slug}),
    }


@require_http_methods(["GET", "POST"])
@institution_page
@wechat_user_required
def like(request, slug, article_id):
    """Like or unlike (one like per WeChat user); back to the article. A reader not yet signed
    in comes back here by GET from WeChat's sign-in: back to the article, nothing liked (a GET
    changes nothing), and the button now knows who they are."""
    article = _published(request, article_id)
    if request.method == "POST":
        toggle_like(request.follower, article)
    return redirect(reverse("content:detail", args=[slug, article.pk]) + "#like")
