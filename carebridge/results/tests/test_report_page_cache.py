"""A report's whole page under the shell is kept in the cache (report_page.py): a repeat view
reads no share link and draws nothing, yet every reader gets their own CSRF token, and a link
made, revoked, opened or expired, the patient's name, the visit and the link just made (shown
once) are never served stale."""

import importlib
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.lib import page_cache
from carebridge.results.actions import record_share_access, revoke_share, share_report
from carebridge.results.models import PatientStamp, ReportShare, Visit
from conftest import wechat_session

from .pages import alice_reports, report_url

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def report(alice_self):
    return alice_reports(alice_self)[1]


def page(client, report) -> str:
    response = client.get(report_url(report))
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(html: str) -> str:
    return TOKEN.sub("", html)


def drawn(client, report) -> tuple[str, list]:
    """The page and the SQL of its queries."""
    with CaptureQueriesContext(connection) as queries:
        html = page(client, report)
    return html, [q["sql"] for q in queries.captured_queries]


def test_a_repeat_view_reads_no_link_and_draws_nothing(alice_client, alice, report):
    share_report(alice, report.pk, 72, timezone.now())
    page(alice_client, report)  # the patient's first page reads the links (their number unsettled)
    first = page(alice_client, report)
    assert "撤销此链接" in first
    with mock.patch("carebridge.results.report_page.render_to_string") as draw:
        again, queries = drawn(alice_client, report)
    assert not draw.called
    assert without_tokens(again) == without_tokens(first)
    assert not any('FROM "results_reportshare"' in q for q in queries)


def test_every_reader_gets_their_own_csrf_token_and_it_works(account, alice, report):
    phones = [wechat_session(Client(enforce_csrf_checks=True), account, alice.openid) for _ in "ab"]
    tokens = []
    for phone in phones:
        html = page(phone, report)
        assert page_cache.csrf_slot() not in html
        tokens.append(set(TOKEN.findall(html)))
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]
    token = next(iter(tokens[1]))
    made = phones[1].post(
        f"{report_url(report)}share/", {"hours": "24", "csrfmiddlewaretoken": token}
    )
    assert made.status_code == 302 and ReportShare.objects.count() == 1


def test_the_slot_follows_the_secret_key(settings):
    slot = page_cache.csrf_slot()
    assert page_cache.csrf_slot() == slot and len(slot) == 64
    settings.SECRET_KEY = "another deployment"
    assert page_cache.csrf_slot() != slot


def test_a_link_made_revoked_or_opened_shows_at_once(alice_client, alice, report):
    assert "已分享的链接" not in page(alice_client, report)
    now = timezone.now()
    made = share_report(alice, report.pk, 72, now).share
    assert "被打开 0 次" in page(alice_client, report)
    record_share_access(made, "10.9.8.7", "Doctor", now)
    assert "被打开 1 次" in page(alice_client, report) and "10.9.8.7" in page(alice_client, report)
    revoke_share(alice, made.pk, now)
    shown = page(alice_client, report)
    assert "已撤销" in shown and "撤销此链接" not in shown


def test_a_link_expiring_shows_expired_with_no_write(alice_client, alice, report):
    now = timezone.now()
    short = share_report(alice, report.pk, 1, now).share
    share_report(alice, report.pk, 48, now)
    assert page(alice_client, report).count("撤销此链接") == 2
    assert page(alice_client, report).count("撤销此链接") == 2  # from the cache
    stamp = PatientStamp.objects.get(patient=report.patient)
    assert stamp.shares_until == short.expires_at
    past = short.expires_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=past):
        shown = page(alice_client, report)
        assert shown.count("撤销此链接") == 1 and "已过期" in shown
        settled = PatientStamp.objects.get(patient=report.patient)
        assert settled.shares == stamp.shares + 1
        assert settled.shares_until == now + timedelta(hours=48)  # the next one to expire
        assert page(alice_client, report).count("撤销此链接") == 1  # cached again


def test_the_settling_keeps_a_write_made_meanwhile(alice, report):
    from carebridge.results.actions.stamps import settle_shares

    now = timezone.now()
    share_report(alice, report.pk, 1, now)
    settle_shares(PatientStamp.objects.get(patient=report.patient), report.patient_id, now)
    read = PatientStamp.objects.get(patient=report.patient)
    assert read.shares_until == now + timedelta(hours=1)
    share_report(alice, report.pk, 2, now)  # after the page read the row
    settle_shares(read, report.patient_id, now + timedelta(hours=3))
    row = PatientStamp.objects.get(patient=report.patient)
    assert row.shares == read.shares + 1  # the second link's bump, not undone
    assert row.shares_until == now + timedelta(hours=1)


def test_a_page_begun_before_a_settling_does_not_trust_it():
    now = timezone.now()
    row = PatientStamp(settled_at=now + timedelta(minutes=5), shares_until=now + timedelta(hours=1))
    assert not row.shares_hold_at(now)
    assert row.shares_hold_at(now + timedelta(minutes=5))
    assert not row.shares_hold_at(now + timedelta(hours=1))


def test_the_link_just_made_is_shown_once(alice_client, report):
    made = alice_client.post(f"{report_url(report)}share/", {"hours": "72"}, follow=True)
    assert 'id="share-link"' in made.content.decode()
    assert 'id="share-link"' not in page(alice_client, report)
    assert 'id="share-link"' not in page(alice_client, report)


def test_a_form_with_errors_is_not_kept(alice_client, report):
    page(alice_client, report)
    refused = alice_client.post(f"{report_url(report)}share/", {"hours": "0"})
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert 'role="alert"' not in page(alice_client, report)


def test_the_patients_name_shows_at_once(alice_client, alice_self, report):
    assert "王小红" in page(alice_client, report)
    alice_self.name = "王晓红"
    alice_self.save(update_fields=["name"])
    assert "王晓红" in page(alice_client, report)


def test_the_visit_link_goes_when_the_visit_is_no_longer_shown(alice_client, report):
    assert "查看这次就诊" in page(alice_client, report)
    Visit.objects.filter(pk=report.visit_id).update(status="entered-in-error")
    assert "查看这次就诊" not in page(alice_client, report)


def test_another_account_is_refused_with_the_page_cached(alice_client, bob_client, report):
    page(alice_client, report)
    refused = bob_client.get(report_url(report))
    assert refused.status_code == 404 and "白细胞" not in refused.content.decode()


def test_stamp_rows_made_before_the_migration_hold_until_the_first_open_links_expiry(alice, report):
    from django.apps import apps

    migration = importlib.import_module("carebridge.results.migrations.0006_patient_stamp_shares")
    now = timezone.now()
    soon = share_report(alice, report.pk, 5, now).share
    share_report(alice, report.pk, 50, now)
    revoked = share_report(alice, report.pk, 2, now).share
    revoke_share(alice, revoked.pk, now)
    PatientStamp.objects.update(shares_until=None)
    migration.first_expiries(apps, None)
    assert PatientStamp.objects.get(patient=report.patient).shares_until == soon.expires_at


def test_a_new_secret_key_draws_the_page_anew(alice_client, report, settings):
    page(alice_client, report)
    page(alice_client, report)  # kept
    old_slot = page_cache.csrf_slot()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]  # rotated: sessions still read
    settings.SECRET_KEY = "rotated " + settings.SECRET_KEY
    shown = page(alice_client, report)
    assert old_slot not in shown and page_cache.csrf_slot() not in shown
    assert TOKEN.findall(shown)
