"""An article as 医院动态 shows it (title, date, author, cover, body, tags), rendered once per
version and language and kept with the list's panels (lib/page_cache.py, ``public``): each of
the newest articles is read thousands of times a day and changes a few times in its life.

The key holds the very fields the card is drawn from (a digest of their values), so any change
to them, through the forms or past them, makes a new key and shows at once. What changes with
every view (the reads, the likes, the reader's like button, the share card) is drawn beside
it."""

import hashlib

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from carebridge.lib import page_cache

from .models import Article

TEMPLATE = "content/_article_card.html"
DRAWN_FROM = ["title", "title_en", "kind", "published_at", "author", "cover", "body", "body_en",
              "tags"]  # fmt: skip


def article_card(article: Article) -> SafeString:
    values = repr([str(getattr(article, name)) for name in DRAWN_FROM])
    digest = hashlib.sha256(values.encode()).hexdigest()

    def draw():
        return render_to_string(TEMPLATE, {"article": article})

    parts = (article.pk, digest)
    return page_cache.cached_html("content:article", (TEMPLATE,), parts, draw, public=True)
