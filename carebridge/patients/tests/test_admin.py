"""The back office: masked values, exact search by keyed hash, every look in the audit log."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from carebridge.patients.models import AccessLog, PatientPolicy

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:patients_patient_changelist"


@pytest.fixture
def clerk(db):
    """An operations clerk allowed to view patients, nothing more."""
    user = User.objects.create_user("clerk", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_patient"))
    return user


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def test_the_list_shows_masked_values_only(clerk_client, alice_self, alice_mother):
    page = clerk_client.get(reverse(CHANGELIST)).content.decode()
    assert "王*红" in page and alice_self.masked_id_number() in page and "138****5678" in page
    for secret in ("王小红", alice_self.id_number, alice_mother.id_number, "13812345678"):
        assert secret not in page
    assert not AccessLog.objects.exists()  # a masked list is not a look at one patient


@pytest.mark.parametrize("term", ["id", "+86 139 0000 1111"])
def test_staff_find_a_patient_by_exact_number_and_the_search_is_logged(
    clerk_client, clerk, alice_self, alice_mother, term
):
    term = alice_mother.id_number.lower() if term == "id" else term
    response = clerk_client.get(reverse(CHANGELIST), {"q": term}, REMOTE_ADDR="10.1.2.3")
    page = response.content.decode()
    assert "李*英" in page and "王*红" not in page
    log = AccessLog.objects.get()
    assert (log.staff, log.patient, log.action, log.ip) == (
        clerk,
        alice_mother,
        "search",
        "10.1.2.3",
    )
    assert alice_mother.id_number not in log.detail and "1111" not in log.detail


def test_a_partial_number_finds_nobody_and_is_logged_too(clerk_client, alice_mother):
    page = clerk_client.get(reverse(CHANGELIST), {"q": alice_mother.id_number[:10]}).content
    assert "李*英".encode() not in page
    log = AccessLog.objects.get()
    assert log.patient is None and log.action == "search"


def test_opening_a_patient_is_logged_and_masked(clerk_client, clerk, alice_mother):
    url = reverse("admin:patients_patient_change", args=[alice_mother.pk])
    page = clerk_client.get(url, {"reason": "电话预约核对"}).content.decode()
    assert alice_mother.masked_id_number() in page and "139****1111" in page
    assert alice_mother.id_number not in page and "13900001111" not in page
    assert 'name="id_number"' not in page  # a view, not a form
    log = AccessLog.objects.get()
    assert (log.staff, log.patient, log.action, log.reason) == (
        clerk,
        alice_mother,
        "view",
        "电话预约核对",
    )


def test_staff_without_permission_see_nothing_and_leave_no_log(client, alice_mother):
    user = User.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(user)
    url = reverse("admin:patients_patient_change", args=[alice_mother.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse(CHANGELIST), {"q": alice_mother.id_number}).status_code == 403
    assert not AccessLog.objects.exists()


def test_patients_cannot_be_added_changed_deleted_or_exported(admin_client, alice_mother):
    assert admin_client.get(reverse("admin:patients_patient_add")).status_code == 403
    url = reverse("admin:patients_patient_delete", args=[alice_mother.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    page = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert 'name="action"' not in page  # no bulk actions, no export


def test_the_audit_log_is_read_only(admin_client, admin_user, alice_mother):
    log = AccessLog.objects.create(staff=admin_user, patient=alice_mother, action="view")
    assert admin_client.get(reverse("admin:patients_accesslog_changelist")).status_code == 200
    change = reverse("admin:patients_accesslog_change", args=[log.pk])
    admin_client.post(change, {"reason": "tampered"})
    log.refresh_from_db()
    assert log.reason == ""
    delete = reverse("admin:patients_accesslog_delete", args=[log.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=log.pk).exists()


def test_the_policy_is_edited_in_the_back_office(admin_client, hospital):
    response = admin_client.post(
        reverse("admin:patients_patientpolicy_add"),
        {
            "institution": hospital.pk,
            "max_patients": 3,
            "accepted_id_types": ["social_security"],
            "max_age": 18,
            "notice": "请使用儿童本人社保卡",
            "notice_en": "",
        },
    )
    assert response.status_code == 302
    policy = PatientPolicy.objects.get()
    assert (policy.max_patients, policy.accepted_id_types, policy.max_age) == (
        3,
        ["social_security"],
        18,
    )
    assert policy.require_phone_verification is False  # an unticked box
