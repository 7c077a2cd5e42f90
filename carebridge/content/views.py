"""医院动态 H5 pages: the article list (by category) and an article. Public, like the About
pages; only the account's institution's published articles are visible."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from carebridge.institutions.pages import institution_page, page_context

from .forms import ArticleFilterForm
from .models import Article, ArticleKind

PAGE_SIZE = 15


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
    page = Paginator(articles.only(*LIST_FIELDS), PAGE_SIZE).get_page(form.cleaned_data["page"])
    context = page_context(
        request,
        form=form,
        category=category,
        category_label=ArticleKind(category).label if category else None,
        categories=ArticleKind.tabs(),
        page=page,
    )
    return render(request, "content/article_list.html", context)


# The list shows neither the body nor its translation: no need to load them.
LIST_FIELDS = [
    "id",
    "institution_id",
    "kind",
    "title",
    "title_en",
    "summary",
    "summary_en",
    "cover",
    "published_at",
]


@institution_page
def article_detail(request, slug, article_id):
    article = get_object_or_404(
        Article.objects.published().exclude(kind=ArticleKind.DOCTOR_PROFILE),
        pk=article_id,
        institution=request.institution,
    )
    return render(request, "content/article_detail.html", page_context(request, article=article))
