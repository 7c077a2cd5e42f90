"""The back office: reports with their history, the critical-value worklist, reports held for
a doctor, manual entry; every opened report audited, another institution's staff refused."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from carebridge.institutions.models import StaffMember
from carebridge.patients.models import AccessLog
from carebridge.results.models import ReleaseRule, Report, ReportVersion

from .helpers import LOW_POTASSIUM, push

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(db):
    return User.objects.create_superuser("ops", "ops@renai.example.cn", "pw-ops-12345")


@pytest.fixture
def xinhua_staff(other_hospital):
    """新华医院's clinician, with every right on reports, but at another hospital."""
    user = User.objects.create_user("xh", "xh@xinhua.example.cn", "pw-xh-12345", is_staff=True)
    StaffMember.objects.create(user=user, institution=other_hospital)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="results"))
    return user


def test_opening_a_report_shows_its_versions_and_is_audited(client, ops, alice_self):
    push(alice_self)
    report = push(alice_self, version=2, status="corrected", conclusion="已更正").report
    client.force_login(ops)
    page = client.get(reverse("admin:results_report_change", args=[report.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "已更正" in text and "王*红" in text and "王小红" not in text
    log = AccessLog.objects.get()
    assert (log.staff, log.patient, log.action) == (ops, alice_self, "view")
    listing = client.get(reverse("admin:results_report_changelist"))
    assert "王*红" in listing.content.decode()
    assert AccessLog.objects.count() == 1  # lists show masked names only
    version = client.get(reverse("admin:results_reportversion_change", args=[report.current_id]))
    assert "白细胞计数" in version.content.decode() and "3.5–9.5" in version.content.decode()
    assert AccessLog.objects.count() == 2


def test_another_institutions_staff_never_see_the_report(client, xinhua_staff, alice_self):
    report = push(alice_self).report
    client.force_login(xinhua_staff)
    listing = client.get(reverse("admin:results_report_changelist"))
    assert listing.status_code == 200 and "LIS-0001" not in listing.content.decode()
    assert (
        "血常规"
        not in client.get(reverse("admin:results_criticalvalue_changelist")).content.decode()
    )
    page = client.get(reverse("admin:results_report_change", args=[report.pk]))
    assert page.status_code == 302  # "does not exist", as for any id
    assert AccessLog.objects.count() == 0


def test_a_clinician_acknowledges_a_critical_value_from_the_worklist(
    client, dr_li, alice, alice_self
):
    version = push(alice_self, result=LOW_POTASSIUM).version
    client.force_login(dr_li)
    worklist = client.get(reverse("admin:results_criticalvalue_changelist")).content.decode()
    assert "钾 2.4 mmol/L (LL)" in worklist and "待确认" in worklist
    url = reverse("admin:results_criticalvalue_change", args=[version.pk])
    assert (
        client.post(url, {"critical_contact": "bogus"}).status_code == 200
    )  # refused, shown again
    assert ReportVersion.objects.get().critical_acknowledged_at is None
    r = client.post(url, {"critical_contact": "phone", "critical_note": "已电话通知本人复诊"})
    assert r.status_code == 302
    version.refresh_from_db()
    assert (version.critical_acknowledged_by, version.critical_contact) == (dr_li, "phone")
    assert version.released_at is not None
    # Now a record: shown, no longer editable.
    assert client.post(url, {"critical_contact": "sms"}).status_code == 403
    assert AccessLog.objects.filter(staff=dr_li, patient=alice_self, action="view").exists()


def test_a_doctor_releases_a_held_report_from_the_list(client, dr_li, hospital, alice_self):
    ReleaseRule.objects.create(institution=hospital, kind="laboratory", mode="doctor")
    version = push(alice_self).version
    push(alice_self, identifier="OTHER")
    client.force_login(dr_li)
    url = reverse("admin:results_heldreport_changelist")
    assert client.get(url).context["cl"].result_count == 2
    client.post(url, {"action": "release", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert (version.doctor_released_by, version.released_at is not None) == (dr_li, True)
    assert client.get(url).context["cl"].result_count == 1


def test_staff_enter_a_report_by_hand(client, ops, alice_self):
    client.force_login(ops)
    url = reverse("admin:results_report_add")
    assert client.get(url).status_code == 200
    body = {
        "patient": alice_self.pk,
        "identifier": "MAN-1",
        "kind": "laboratory",
        "title": "肝功能",
        "status": "final",
        "issued_at": "2026-03-02 09:00",
        "items": "谷丙转氨酶|88|U/L|7-40\n乙肝表面抗原|阳性||阴性\n",
    }
    r = client.post(url, body)
    assert r.status_code == 302, r.content.decode()
    version = Report.objects.get().current
    assert [(o.name, o.flag) for o in version.observations.all()] == [
        ("谷丙转氨酶", "H"),
        ("乙肝表面抗原", "A"),
    ]
    assert version.entered_by == ops
    # The same number again is the next version, and must say what changed.
    r = client.post(url, {**body, "items": "谷丙转氨酶|38|U/L|7-40"})
    assert r.status_code == 200 and "已审核的报告只能" in r.content.decode()
    r = client.post(url, {**body, "status": "corrected", "items": "谷丙转氨酶|38|U/L|7-40"})
    assert r.status_code == 302
    assert Report.objects.get().current.version == 2


def test_a_badly_typed_item_line_is_refused(client, ops, alice_self):
    client.force_login(ops)
    body = {
        "patient": alice_self.pk,
        "kind": "laboratory",
        "title": "肝功能",
        "status": "final",
        "issued_at": "2026-03-02 09:00",
        "items": "|88|U/L\n",
    }
    r = client.post(reverse("admin:results_report_add"), body)
    assert r.status_code == 200 and "缺少项目名称" in r.content.decode()
    assert Report.objects.count() == 0
    body["items"] = "谷丙转氨酶|88|U/L|7-40|HIGH"
    r = client.post(reverse("admin:results_report_add"), body)
    assert "标志应为" in r.content.decode() and Report.objects.count() == 0


def test_a_release_rule_needs_days_only_when_it_delays(client, ops, hospital):
    client.force_login(ops)
    url = reverse("admin:results_releaserule_add")
    base = {"institution": hospital.pk, "kind": "laboratory", "code": "PATH", "is_active": "on"}
    assert client.post(url, {**base, "mode": "delay"}).status_code == 200
    assert client.post(url, {**base, "mode": "doctor", "days": 3}).status_code == 200
    assert client.post(url, {**base, "mode": "delay", "days": 3}).status_code == 302
    assert ReleaseRule.objects.get().days == 3
