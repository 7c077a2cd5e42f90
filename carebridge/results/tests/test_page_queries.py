"""The list and a report's page make the same number of queries however many reports there
are (select_related / prefetch_related, one query for every item's trend)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_the_report_pages_queries_do_not_grow_with_earlier_reports(alice_client, alice_self):
    push_many(alice_self, 1, 2)
    newest = push(alice_self, identifier="LIS-NEW", result=high_count()).report
    few = queries(alice_client, report_url(newest))
    push_many(alice_self, 3, 8)
    assert queries(alice_client, report_url(newest)) == few
