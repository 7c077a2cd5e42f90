"""Rendered fragments of patients' pages, kept in the ``pages`` cache (settings.CACHES): a
report's content and the list's rows (results), 医院动态's article panel (content).

A fragment's key holds everything it is drawn from, so a change makes a new key rather than
needing to find and delete the old one (which lapses after ``LIFETIME``). The caller always
decides first who may see what; the cache only saves drawing.

Why a cache of their own: on the database cache (no Redis) Django culls a third of the entries
once there are ``MAX_ENTRIES`` (300 by default), whatever they are. A busy morning's fragments in
the default cache pushed out WeChat's access tokens, the login lockouts and the booking rate
limits kept beside them; a token lost is a token fetched again against WeChat's daily quota.

A public fragment (医院动态's panel) is kept in each process's memory too: its key changes with
what it shows, so a copy in memory is as current as the shared one, and the busiest keys are
then served without a round trip to the cache (bench/RESULTS.md, 医院动态).

A fragment with a form that posts (a report's page: its share links) is drawn with
``csrf_slot()`` in place of the CSRF token and each reader's own token is put in after the cache
(``with_csrf``): a token is never kept, nor served to another reader."""

import hashlib
import hmac
import threading
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

ALIAS = "pages"
LIFETIME = 24 * 3600  # seconds; a key nobody asks for any more goes after a day


def cached_html(
    namespace: str,
    templates: tuple,
    parts: tuple,
    draw: Callable[[], str],
    *,
    public: bool = False,
) -> SafeString:
    """``draw()``'s HTML, kept under a key of ``parts``, the language, the time zone and the
    source of ``templates`` (what the drawing reads, so a deployment that changes them is not
    served the old drawing). A ``public`` fragment (what any reader may see) is also kept in
    this process's memory (the latest ``KEPT_IN_PROCESS``), which spares the cache's round trip
    for the fragments asked for most; a patient's never is."""
    key = repr((templates_digest(templates), get_language(), get_current_timezone_name(), parts))
    key = f"{namespace}:" + hashlib.sha256(key.encode()).hexdigest()
    if public and (html := _in_process.get(key)) is not None:
        return mark_safe(html)  # noqa: S308 — as below
    pages = caches[ALIAS]
    html = pages.get(key)
    if html is None:
        html = draw()
        pages.set(key, html, LIFETIME)
    if public:
        _keep_in_process(key, html)
    return mark_safe(html)  # noqa: S308 — our own templates' output, escaped when rendered


KEPT_IN_PROCESS = 200
_in_process: dict[str, str] = {}
_in_process_lock = threading.Lock()


def _keep_in_process(key: str, html: str) -> None:
    with _in_process_lock:
        _in_process[key] = html
        while len(_in_process) > KEPT_IN_PROCESS:
            del _in_process[next(iter(_in_process))]  # the oldest kept


def forget_in_process() -> None:
    """Drop what this process keeps (tests, as they clear the cache)."""
    with _in_process_lock:
        _in_process.clear()


@cache
def templates_digest(names: tuple) -> str:
    """The templates' source, as this process loaded them."""
    sources = (get_template(name).template.source for name in names)
    return hashlib.sha256("".join(sources).encode()).hexdigest()[:16]


def csrf_slot() -> str:
    """What a cached fragment's ``{% csrf_token %}`` is drawn with (as its context's
    ``csrf_token``): derived from the secret key, so the same in every process sharing the cache,
    and no text a patient or the HIS puts on a page can be taken for it."""
    return _slot_of(settings.SECRET_KEY)


@cache  # asked for two or three times a page: once per secret key
def _slot_of(secret: str) -> str:
    return hmac.new(secret.encode(), b"page_cache csrf slot", "sha256").hexdigest()


def with_csrf(html: str, request) -> SafeString:
    """``html`` (drawn with ``csrf_slot()``, which its key must hold: another secret key makes
    another slot) with ``request``'s own CSRF token in its forms."""
    return mark_safe(html.replace(csrf_slot(), get_token(request)))  # noqa: S308 — as above
