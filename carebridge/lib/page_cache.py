"""Rendered fragments of patients' pages, kept in the ``pages`` cache (settings.CACHES): a
report's content and the list's rows (results), 医院动态's article panel (content).

A fragment's key holds everything it is drawn from, so a change makes a new key rather than
needing to find and delete the old one (which lapses after ``LIFETIME``). The caller always
decides first who may see what; the cache only saves drawing.

Why a cache of their own: on the database cache (no Redis) Django culls a third of the entries
once there are ``MAX_ENTRIES`` (300 by default), whatever they are. A busy morning's fragments in
the default cache pushed out WeChat's access tokens, the login lockouts and the booking rate
limits kept beside them; a token lost is a token fetched again against WeChat's daily quota."""

import hashlib
from collections.abc import Callable
from functools import cache

from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

ALIAS = "pages"
LIFETIME = 24 * 3600  # seconds; a key nobody asks for any more goes after a day


def cached_html(
    namespace: str, templates: tuple, parts: tuple, draw: Callable[[], str]
) -> SafeString:
    """``draw()``'s HTML, kept under a key of ``parts``, the language, the time zone and the
    source of ``templates`` (what the drawing reads, so a deployment that changes them is not
    served the old drawing)."""
    key = repr((templates_digest(templates), get_language(), get_current_timezone_name(), parts))
    key = f"{namespace}:" + hashlib.sha256(key.encode()).hexdigest()
    pages = caches[ALIAS]
    html = pages.get(key)
    if html is None:
        html = draw()
        pages.set(key, html, LIFETIME)
    return mark_safe(html)  # noqa: S308 — our own templates' output, escaped when rendered


@cache
def templates_digest(names: tuple) -> str:
    """The templates' source, as this process loaded them."""
    sources = (get_template(name).template.source for name in names)
    return hashlib.sha256("".join(sources).encode()).hexdigest()[:16]
