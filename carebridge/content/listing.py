"""The article list of 医院动态 (its tabs, panel of 15 articles and pager), rendered once and kept
in the pages cache (lib/page_cache.py): drawing the articles was most of the page's time under
the release-rush load (bench/RESULTS.md, 医院动态). The pattern of results/report_body.py.

The key holds everything the panel is drawn from, so a change makes a new key rather than
needing to find and delete the old one (which lapses after ``page_cache.LIFETIME``): the
account (its links), the tab and page asked for, the language and time zone, the templates'
text, and the stamp of the tab's visible articles: how many there are and the latest
``updated_at`` among them. Every write that changes what a list shows moves one of them:
publishing and withdrawing (they set ``updated_at``), an edit (``auto_now``), an article whose
publication time comes (the count), a deletion (the count). Reads and likes do not touch
``updated_at``, and the list does not show them. The stamp is one aggregate query, which also
gives the paginator its count."""

from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from carebridge.lib import page_cache

from .choices import ArticleKind

TEMPLATE = "content/_article_panel.html"
TEMPLATES = (TEMPLATE, "content/_article_tabs.html")  # the tabs above it are kept with it
PAGE_SIZE = 15
# The list shows neither the body nor its translation: no need to load them.
LIST_FIELDS = ["id", "institution_id", "kind", "title", "title_en", "summary", "summary_en",
               "cover", "published_at"]  # fmt: skip


def article_panel(articles, *, account, category: str, page_number: int) -> SafeString:
    """The rendered panel of ``articles`` (the tab's visible articles, newest first)."""
    stamp = articles.order_by().aggregate(n=Count("id"), changed=Max("updated_at"))

    def draw():
        paginator = Paginator(articles.only(*LIST_FIELDS), PAGE_SIZE)
        paginator.count = stamp["n"]  # counted with the stamp: no second COUNT(*)
        context = {"account": account, "category": category, "categories": ArticleKind.tabs(),
                   "page": paginator.get_page(page_number)}  # fmt: skip
        return render_to_string(TEMPLATE, context)

    parts = (account.slug, category, page_number, stamp["n"], stamp["changed"])
    return page_cache.cached_html("content:list", TEMPLATES, parts, draw, public=True)
