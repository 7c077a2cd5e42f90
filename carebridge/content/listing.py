"""The article list of 医院动态 (its panel of 15 articles and the pager), rendered once and kept
in Django's cache: drawing the articles was most of the page's time under the release-rush
load (bench/RESULTS.md, 医院动态). The pattern of results/report_body.py.

The key holds everything the panel is drawn from, so a change makes a new key rather than
needing to find and delete the old one (which lapses after ``LIFETIME``): the account (its
links), the tab and page asked for, the language and time zone, the templates' text, and the
stamp of the tab's visible articles: how many there are and the latest ``updated_at`` among
them. Every write that changes what a list shows moves one of them: publishing and withdrawing
(they set ``updated_at``), an edit (``auto_now``), an article whose publication time comes (the
count), a deletion (the count). Reads and likes do not touch ``updated_at``, and the list does
not show them. The stamp is one aggregate query, which also gives the paginator its count."""

import hashlib
from functools import cache

from django.core.cache import cache as django_cache
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

TEMPLATE = "content/_article_panel.html"
LIFETIME = 24 * 3600  # seconds; a key nobody asks for any more goes after a day
PAGE_SIZE = 15
# The list shows neither the body nor its translation: no need to load them.
LIST_FIELDS = ["id", "institution_id", "kind", "title", "title_en", "summary", "summary_en",
               "cover", "published_at"]  # fmt: skip


def article_panel(articles, *, account, category: str, page_number: int) -> SafeString:
    """The rendered panel of ``articles`` (the tab's visible articles, newest first)."""
    stamp = articles.order_by().aggregate(n=Count("id"), changed=Max("updated_at"))
    parts = (_templates_digest(), account.slug, category, page_number, get_language(),
             get_current_timezone_name(), stamp["n"], stamp["changed"])  # fmt: skip
    key = "content:list:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    html = django_cache.get(key)
    if html is None:
        paginator = Paginator(articles.only(*LIST_FIELDS), PAGE_SIZE)
        paginator.count = stamp["n"]  # counted with the stamp: no second COUNT(*)
        context = {"account": account, "category": category,
                   "page": paginator.get_page(page_number)}  # fmt: skip
        html = render_to_string(TEMPLATE, context)
        django_cache.set(key, html, LIFETIME)
    return mark_safe(html)  # noqa: S308 — our own template's output, escaped when rendered


@cache
def _templates_digest() -> str:
    return hashlib.sha256(get_template(TEMPLATE).template.source.encode()).hexdigest()[:16]
