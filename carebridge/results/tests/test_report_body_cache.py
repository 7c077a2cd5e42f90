"""A report's content is kept in the cache once drawn (report_body.py), and never shown stale:
a new or amended version, an earlier report pushed, amended, withdrawn or released at the end
of its hold, another language, the patient's own details all draw it again; the account is
checked before the cache is read; the shares, drawn apart, are always the latest."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.results.actions import withdraw_report
from carebridge.results.models import ReleaseRule

from .helpers import NOW, item, push
from .pages import alice_reports, high_count, report_url

pytestmark = pytest.mark.django_db


def page(client, report) -> str:
    response = client.get(report_url(report))
    assert response.status_code == 200
    return response.content.decode()


def wbc(value):
    return [item("白细胞计数", value, "10^9/L", 3.5, 9.5, code="WBC")]


def earlier(patient, identifier, days, value, **changes):
    moment = (NOW - timedelta(days=days)).isoformat()
    return push(patient, identifier=identifier, issued=moment, result=wbc(value), **changes)


def content(page: str) -> str:
    """The report's own part of its page (the shares' form has a new CSRF token each time)."""
    return page.split('<div class="h5-header">')[1].split("分享给医生")[0]


def test_a_second_view_is_served_from_the_cache(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    first = content(page(alice_client, later))
    with CaptureQueriesContext(connection) as warm:
        with mock.patch("carebridge.results.report_body.items_of") as drawn:
            assert content(page(alice_client, later)) == first
    assert not drawn.called and "近2次：6.1 → 11.2" in first
    assert not any("results_observation" in q["sql"] for q in warm.captured_queries)


def test_a_new_version_of_the_report_is_shown_at_once(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    assert "11.2" in page(alice_client, later)
    push(alice_self, identifier="LIS-0001", version=2, status="amended", result=wbc(7.7))
    shown = page(alice_client, later)
    assert "此报告已修改" in shown and "7.7" in shown and "11.2" not in shown


def test_an_earlier_report_pushed_amended_or_withdrawn_changes_the_trend(alice_client, alice_self):
    newest = push(alice_self, identifier="LIS-NEW", result=high_count()).report
    assert "近" not in page(alice_client, newest).split("分享给医生")[0].split("检验结果")[1]
    first = earlier(alice_self, "LIS-A", 2, 6.1).report
    assert "近2次：6.1 → 11.2" in page(alice_client, newest)
    earlier(alice_self, "LIS-B", 1, 8.0)
    assert "近3次：6.1 → 8 → 11.2" in page(alice_client, newest)
    earlier(alice_self, "LIS-A", 2, 5.0, version=2, status="corrected")
    assert "近3次：5 → 8 → 11.2" in page(alice_client, newest)
    withdraw_report(first, now=NOW)
    assert "近2次：8 → 11.2" in page(alice_client, newest)


def test_an_earlier_report_shows_in_the_trend_when_its_hold_ends(
    alice_client, alice_self, hospital
):
    today = timezone.now()
    newest = push(
        alice_self, now=today, identifier="LIS-NEW", issued=today.isoformat(), result=high_count()
    ).report
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="delay", days=3)
    yesterday = today - timedelta(days=1)
    held = push(
        alice_self,
        now=yesterday,
        identifier="LIS-HELD",
        issued=yesterday.isoformat(),
        result=wbc(6.1),
    ).version
    assert held.released_at == yesterday + timedelta(days=3)
    assert "近2次" not in page(alice_client, newest)
    with mock.patch("django.utils.timezone.now", return_value=held.released_at):
        assert "近2次：6.1 → 11.2" in page(alice_client, newest)


def test_english_and_chinese_are_kept_apart(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    assert "偏高 (H)" in page(alice_client, later)
    alice_client.cookies["django_language"] = "en"
    english = page(alice_client, later)
    assert "High (H)" in english and "Last 2 results: 6.1 → 11.2" in english
    assert "偏高" not in english
    alice_client.cookies["django_language"] = "zh-hans"
    assert "偏高 (H)" in page(alice_client, later)


def test_the_patients_own_details_draw_it_again(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    assert "偏高 (H)" in page(alice_client, later)
    alice_self.sex = "male" if alice_self.sex == "female" else "female"
    alice_self.save(update_fields=["sex"])
    with mock.patch("carebridge.results.report_body.items_of", wraps=lambda *a, **k: []) as drawn:
        page(alice_client, later)
    assert drawn.called


def test_another_account_is_refused_even_with_the_content_cached(
    alice_client, alice_self, bob_client, bob
):
    _earlier, later, _visit = alice_reports(alice_self)
    page(alice_client, later)  # now in the cache
    refused = bob_client.get(report_url(later))
    assert refused.status_code == 404 and "白细胞" not in refused.content.decode()


def test_a_withdrawn_report_is_refused_even_with_its_content_cached(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    page(alice_client, later)
    withdraw_report(later, now=NOW)
    assert alice_client.get(report_url(later)).status_code == 404


def test_a_share_made_or_revoked_shows_at_once(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    assert "已分享的链接" not in page(alice_client, later)
    made = alice_client.post(f"{report_url(later)}share/", {"hours": "72"}, follow=True)
    assert "已分享的链接" in made.content.decode() and "撤销此链接" in page(alice_client, later)
    share = later.shares.get()
    alice_client.post(f"/h5/renai/shares/{share.pk}/revoke/")
    shown = page(alice_client, later)
    assert "已撤销" in shown and "撤销此链接" not in shown


def test_the_page_leaves_the_patients_encrypted_details_unread(alice_client, alice_self):
    _earlier, later, _visit = alice_reports(alice_self)
    page(alice_client, later)
    with CaptureQueriesContext(connection) as warm:
        shown = page(alice_client, later)
    assert "王小红" in shown
    for column in ("phone", "id_number", "card_number"):
        assert not any(f'"patients_patient"."{column}"' in q["sql"] for q in warm)
