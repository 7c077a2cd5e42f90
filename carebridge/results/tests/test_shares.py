"""Sharing a report: a link that opens one report for a doctor elsewhere, chosen duration,
revocable, every opening logged and shown; refused clearly when expired, revoked, tampered
with or its report withdrawn; made and revoked only by the account that holds the patient."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from carebridge.results.actions import withdraw_report
from carebridge.results.models import ReportShare, ShareAccess
from carebridge.results.models.shares import hash_token
from conftest import wechat_session

from .pages import alice_reports, report_url

pytestmark = pytest.mark.django_db
# The link is on the configured site (SITE_URL), whatever Host the request came with.
LINK = re.compile(r'value="' + re.escape(settings.SITE_URL) + r'(/shared/reports/[^/"]+/)"')


@pytest.fixture
def report(alice_self):
    return alice_reports(alice_self)[1]


def share(client, report, hours="72"):
    response = client.post(f"{report_url(report)}share/", {"hours": hours}, follow=True)
    found = LINK.search(response.content.decode())
    return response, found and found.group(1)


def test_a_link_opens_the_one_report_with_the_name_masked_and_is_logged(alice_client, report):
    response, link = share(alice_client, report)
    assert response.status_code == 200 and link
    made = ReportShare.objects.get()
    token = link.split("/")[-2]
    assert made.token_hash == hash_token(token) and token not in made.token_hash
    assert made.expires_at - made.created_at == timedelta(hours=72)
    doctor = Client(HTTP_USER_AGENT="Mozilla/5.0 (Doctor's PC)", REMOTE_ADDR="10.1.2.3")
    opened = doctor.get(link)
    page = opened.content.decode()
    assert opened.status_code == 200 and "白细胞计数" in page and "偏高 (H)" in page
    assert "王*红" in page and "王小红" not in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert opened["X-Robots-Tag"] == "noindex, nofollow" and opened["Cache-Control"] == "no-store"
    assert "<svg" not in page  # the earlier reports are not shared
    access = ShareAccess.objects.get()
    assert (access.ip, access.user_agent) == ("10.1.2.3", "Mozilla/5.0 (Doctor's PC)")
    mine = alice_client.get(report_url(report)).content.decode()
    assert "被打开 1 次" in mine and "10.1.2.3" in mine and "Doctor&#x27;s PC" in mine
    assert token not in mine  # shown once, right after it was made


def test_the_patient_chooses_the_duration(alice_client, report):
    share(alice_client, report, hours="720")
    made = ReportShare.objects.get()
    assert made.expires_at - made.created_at == timedelta(days=30)


@pytest.mark.parametrize("hours", ["0", "721", "100000", "abc", "", "-1", "72.5"])
def test_a_bad_duration_is_a_form_error_and_nothing_is_made(alice_client, report, hours):
    response = alice_client.post(f"{report_url(report)}share/", {"hours": hours})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not ReportShare.objects.exists()


def test_a_revoked_link_is_refused(alice_client, report):
    _response, link = share(alice_client, report)
    made = ReportShare.objects.get()
    revoked = alice_client.post(f"/h5/renai/shares/{made.pk}/revoke/", follow=True)
    assert "已撤销" in revoked.content.decode()
    refused = Client().get(link)
    assert refused.status_code == 410 and "患者已撤销" in refused.content.decode()
    assert "白细胞" not in refused.content.decode() and not ShareAccess.objects.exists()


def test_an_expired_link_is_refused(alice_client, report):
    _response, link = share(alice_client, report, hours="24")
    later = timezone.now() + timedelta(hours=24, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        refused = Client().get(link)
    assert refused.status_code == 410 and "已过期" in refused.content.decode()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[:10],
        lambda t: t + "x",
        lambda t: "%00",
    ],
)
def test_a_tampered_link_is_a_404(alice_client, report, mangle):
    _response, link = share(alice_client, report)
    token = link.split("/")[-2]
    refused = Client().get(f"/shared/reports/{mangle(token)}/")
    assert refused.status_code == 404 and "找不到这个分享链接" in refused.content.decode()


def test_a_withdrawn_reports_link_stops_working(alice_client, report):
    _response, link = share(alice_client, report)
    withdraw_report(report, reason="录入错误")
    refused = Client().get(link)
    assert refused.status_code == 410 and "撤回" in refused.content.decode()


def test_another_account_can_neither_share_nor_revoke(alice_client, report, bob_client, bob):
    assert bob_client.post(f"{report_url(report)}share/", {"hours": "72"}).status_code == 404
    assert bob_client.post(f"{report_url(report)}share/", {"hours": "0"}).status_code == 404
    assert not ReportShare.objects.exists()
    share(alice_client, report)
    made = ReportShare.objects.get()
    assert bob_client.post(f"/h5/renai/shares/{made.pk}/revoke/").status_code == 404
    made.refresh_from_db()
    assert made.revoked_at is None


def test_sharing_and_revoking_need_a_post_with_the_csrf_token(account, alice, report):
    client = wechat_session(Client(enforce_csrf_checks=True), account, alice.openid)
    assert client.post(f"{report_url(report)}share/", {"hours": "72"}).status_code == 403
    assert client.get(f"{report_url(report)}share/").status_code == 405
    assert not ReportShare.objects.exists()
