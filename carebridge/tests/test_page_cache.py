"""The pages cache (lib/page_cache.py): fragments are kept apart from the default cache, so a
busy morning of them never pushes out what the default cache holds (access tokens, lockouts)."""

import pytest
from django.core.cache import cache, caches
from django.utils import translation

from carebridge.lib import page_cache

pytestmark = pytest.mark.django_db

TEMPLATES = ("h5/base.html",)


def test_a_fragment_is_drawn_once_then_served():
    drawn = []

    def draw():
        drawn.append(1)
        return "<p>一</p>"

    first = page_cache.cached_html("t", TEMPLATES, (1,), draw)
    again = page_cache.cached_html("t", TEMPLATES, (1,), draw)
    assert first == again == "<p>一</p>" and len(drawn) == 1


def test_the_key_holds_the_parts_and_the_language():
    page_cache.cached_html("t", TEMPLATES, (1,), lambda: "one")
    assert page_cache.cached_html("t", TEMPLATES, (2,), lambda: "two") == "two"
    with translation.override("en"):
        assert page_cache.cached_html("t", TEMPLATES, (1,), lambda: "english") == "english"
    assert page_cache.cached_html("other", TEMPLATES, (1,), lambda: "other") == "other"


def test_many_fragments_leave_the_default_cache_alone():
    kept = {"auth:lockout:13800000000": 5, "booking:rate:o_alice": 3, "wechat:token": "t"}
    cache.set_many(kept, 3600)
    for n in range(400):  # more than the default cache's 300 entries, its culling threshold
        page_cache.cached_html("t", TEMPLATES, (n,), lambda n=n: f"<p>{n}</p>")
    assert cache.get_many(list(kept)) == kept
    assert caches["pages"].get("wechat:token") is None  # and nothing is shared the other way
