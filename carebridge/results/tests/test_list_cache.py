"""The list's rows are kept in the cache once drawn (views/reports.py, as report_body.py keeps a
report's content), and never shown stale: a new, amended, withdrawn or released report, another
filter, page or language draw them again; the account's patients are checked before the cache
is read, so a cached page of alice's is never anyone else's."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.results.actions import withdraw_report
from carebridge.results.models import ReleaseRule

from .helpers import NOW, push
from .pages import alice_reports, high_count

pytestmark = pytest.mark.django_db
LIST = "/h5/renai/reports/"
DRAW = "carebridge.results.views.reports.page_of"


def rows(client, **query) -> str:
    response = client.get(LIST, query)
    assert response.status_code == 200
    page = response.content.decode()  # the part after the filter, before the footer's form
    return page.split('<h2 class="weui-cells__title">')[1].split("<footer")[0]


def test_a_second_view_is_served_from_the_cache(alice_client, alice_self):
    alice_reports(alice_self)
    first = rows(alice_client)
    with CaptureQueriesContext(connection) as warm, mock.patch(DRAW) as drawn:
        assert rows(alice_client) == first
    assert not drawn.called and first.count("血常规") == 2
    assert not any("ORDER BY" in q["sql"] and "results_report" in q["sql"] for q in warm)


def test_a_new_amended_or_withdrawn_report_shows_at_once(alice_client, alice_self):
    earlier, later, _visit = alice_reports(alice_self)
    assert rows(alice_client).count("有异常") == 1
    push(alice_self, identifier="LIS-0001", version=2, status="corrected")  # back in range
    corrected = rows(alice_client)
    assert "有异常" not in corrected and "已更正" in corrected
    push(alice_self, identifier="RIS-1", category="imaging", code={"code": "CT", "text": "胸部CT"})
    assert "胸部CT" in rows(alice_client)
    withdraw_report(earlier, now=NOW)
    assert f"/reports/{earlier.pk}/" not in rows(alice_client)


def test_a_held_report_shows_when_its_hold_ends(alice_client, alice_self, hospital):
    ReleaseRule.objects.create(institution=hospital, kind="imaging", mode="delay", days=3)
    today = timezone.now()
    held = push(
        alice_self,
        now=today,
        identifier="RIS-HELD",
        issued=today.isoformat(),
        category="imaging",
        code={"code": "CT", "text": "胸部CT"},
    ).version
    assert "胸部CT" not in rows(alice_client)
    with mock.patch("django.utils.timezone.now", return_value=held.released_at):
        assert "胸部CT" in rows(alice_client)


def test_each_filter_and_page_is_kept_apart(alice_client, alice_self, alice_mother):
    alice_reports(alice_self)
    push(alice_self, identifier="RIS-1", category="imaging", code={"code": "CT", "text": "胸部CT"})
    push(alice_mother, identifier="LIS-9000", code={"code": "GLU", "text": "血糖"})
    assert "血常规" in rows(alice_client) and "胸部CT" in rows(alice_client)
    imaging = rows(alice_client, kind="imaging")
    assert "胸部CT" in imaging and "血常规" not in imaging
    mother = rows(alice_client, patient=alice_mother.pk)
    assert "血糖" in mother and "胸部CT" not in mother
    day = (NOW - timedelta(days=30)).date().isoformat()
    assert rows(alice_client, start=day, end=day).count("血常规") == 1


def test_english_and_chinese_are_kept_apart(alice_client, alice_self):
    alice_reports(alice_self)
    assert "有异常" in rows(alice_client)
    alice_client.cookies["django_language"] = "en"
    english = rows(alice_client)
    assert "Abnormal" in english and "有异常" not in english


def test_another_account_never_gets_alices_cached_rows(
    alice_client, alice_self, bob_client, bob_self
):
    push(alice_self, result=high_count())
    rows(alice_client, patient=alice_self.pk)  # now in the cache
    refused = bob_client.get(LIST, {"patient": alice_self.pk})
    page = refused.content.decode()
    assert refused.status_code == 400 and "血常规" not in page and "王小红" not in page
    assert "暂无报告" in rows(bob_client)


def test_a_bad_filter_or_an_unknown_parameter_is_drawn_not_kept(alice_client, alice_self):
    alice_reports(alice_self)
    with mock.patch("carebridge.results.views.reports.cached_html") as kept:
        assert alice_client.get(LIST, {"kind": "x-ray"}).status_code == 400
        shown = rows(alice_client, utm_source="x", page="1")
    assert not kept.called and shown.count("血常规") == 2


def test_a_patient_added_or_removed_shows_in_the_filter_at_once(alice_client, alice_self, alice):
    from carebridge.patients.actions import remove_patient
    from carebridge.patients.tests import factories

    alice_reports(alice_self)
    assert "李秀英" not in alice_client.get(LIST).content.decode()  # now in the cache
    mother = factories.patient(
        alice, name="李秀英", relation="parent", birth_date=date(1962, 8, 15)
    )
    assert "李秀英" in alice_client.get(LIST).content.decode()
    remove_patient(mother)
    page = alice_client.get(LIST).content.decode()
    assert "李秀英" not in page and page.count("血常规") == 2
