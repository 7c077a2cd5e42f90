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


def test_a_public_fragment_is_kept_in_memory_and_a_patients_never(django_assert_num_queries):
    page_cache.cached_html("t", TEMPLATES, (1,), lambda: "<p>公开</p>", public=True)
    page_cache.cached_html("r", TEMPLATES, (1,), lambda: "<p>报告</p>")
    assert list(page_cache._in_process.values()) == ["<p>公开</p>"]
    with django_assert_num_queries(0):  # not even the database cache's read
        again = page_cache.cached_html("t", TEMPLATES, (1,), lambda: "drawn again", public=True)
    assert again == "<p>公开</p>"
    # A new key (what the fragment shows changed) is drawn at once, in every process.
    assert page_cache.cached_html("t", TEMPLATES, (2,), lambda: "新", public=True) == "新"


def test_memory_keeps_only_the_latest_public_fragments(monkeypatch):
    monkeypatch.setattr(page_cache, "KEPT_IN_PROCESS", 3)
    for n in range(5):
        page_cache.cached_html("t", TEMPLATES, (n,), lambda n=n: f"<p>{n}</p>", public=True)
    assert list(page_cache._in_process.values()) == ["<p>2</p>", "<p>3</p>", "<p>4</p>"]
