"""Staff see share links read-only with their openings, audited like the report, scoped to
their institution; no token is ever shown and nothing can be changed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from carebridge.patients.models import AccessLog
from carebridge.results.actions import record_share_access, share_report

from .pages import alice_reports
from .test_admin import ops, xinhua_staff  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(alice, alice_self):
    report = alice_reports(alice_self)[1]
    made = share_report(alice, report.pk, 72, timezone.now())
    record_share_access(made.share, "10.9.8.7", "Doctor's browser", timezone.now())
    return made


def test_staff_see_a_share_and_its_openings_read_only_and_audited(client, ops, made):  # noqa: F811
    client.force_login(ops)
    page = client.get(reverse("admin:results_reportshare_change", args=[made.share.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "10.9.8.7" in text and "王*红" in text
    assert made.token not in text and 'name="_save"' not in text
    assert AccessLog.objects.get().patient == made.share.report.patient
    assert client.get(reverse("admin:results_reportshare_add")).status_code == 403


def test_another_institutions_staff_never_see_a_share(client, xinhua_staff, made):  # noqa: F811
    client.force_login(xinhua_staff)
    listing = client.get(reverse("admin:results_reportshare_changelist"))
    assert listing.status_code == 200 and "血常规" not in listing.content.decode()
