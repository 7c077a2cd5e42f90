"""The list and a report's page make the same number of queries however many reports there
are (select_related / prefetch_related, one query for every item's trend)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.lib import page_cache

from .helpers import NOW, push
from .pages import high_count, report_url

pytestmark = pytest.mark.django_db


def push_many(patient, start, count):
    for n in range(start, start + count):
        moment = (NOW - timedelta(days=n)).isoformat()
        push(patient, identifier=f"LIS-{n:04}", issued=moment, result=high_count())


def queries(client, url) -> int:
    client.get(url)  # the first visit of a page also records the elder-mode offer
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/h5/renai/reports/", "/h5/renai/visits/"])
def test_the_lists_queries_do_not_grow_with_the_reports(alice_client, alice_self, url):
    push_many(alice_self, 1, 2)
    few = queries(alice_client, url)
    push_many(alice_self, 3, 8)
    assert queries(alice_client, url) == few


def drawn_then_cached(client, url) -> tuple[list, list]:
    """The tables the page reads (the sessions' and the cache's left out: in Redis, or not) when
    drawn (the pages cache empty), then when read from the cache."""
    client.get(url)  # records the elder-mode offer; a patient's first page reads the links
    caches[page_cache.ALIAS].clear()
    drawn = tables(client, url)
    return drawn, tables(client, url)


def tables(client, url) -> list:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    read = (re.search(r'FROM "(\w+)"', q["sql"]) for q in captured.captured_queries)
    return [m.group(1) for m in read if m and m.group(1) not in OTHER_STORES]


OTHER_STORES = {"django_session", "carebridge_page_cache"}


def test_the_report_pages_queries_do_not_grow_with_earlier_reports(alice_client, alice_self):
    push_many(alice_self, 1, 2)
    newest = push(alice_self, identifier="LIS-NEW", result=high_count()).report
    few = drawn_then_cached(alice_client, report_url(newest))
    push_many(alice_self, 3, 8)
    assert drawn_then_cached(alice_client, report_url(newest)) == few
    # Cached: the follower with its account, the report with its patient's stamp.
    assert few[1] == ["wechat_follower", "results_report"]
