"""The back office: masked values, exact search by keyed hash, every look in the audit log."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from carebridge.institutions.models import Institution, StaffMember
from carebridge.patients.models import AccessLog, PatientPolicy

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:patients_patient_changelist"
FIND = "admin:patients_patient_find"


def find(client, number, reason="", **extra):
    return client.post(reverse(FIND), {"number": number, "reason": reason}, **extra)


@pytest.fixture
def clerk(hospital):
    """An operations clerk of the hospital allowed to view patients, nothing more."""
    user = User.objects.create_user("clerk", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_patient"))
    StaffMember.objects.create(user=user, institution=hospital)
    return user


@pytest.fixture
def charlie_client(db):
    """Charlie works for another hospital, with the same permissions as the clerk."""
    from django.test import Client

    other = Institution.objects.create(slug="xinhua", name="新华医院")
    user = User.objects.create_user("charlie", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_patient",
                "view_accesslog",
                "view_patientpolicy",
                "change_patientpolicy",
            ]
        )
    )
    StaffMember.objects.create(user=user, institution=other)
    client = Client()
    client.force_login(user)
    return client


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
    response = find(clerk_client, term, reason="复诊核对", REMOTE_ADDR="10.1.2.3")
    page = response.content.decode()
    assert "李*英" in page and "王*红" not in page
    assert term not in page and alice_mother.id_number not in page  # not even echoed back
    change = reverse("admin:patients_patient_change", args=[alice_mother.pk])
    assert f'href="{change}?reason=' in page  # the reason goes with the look
    log = AccessLog.objects.get()
    assert (log.staff, log.patient, log.action, log.ip, log.reason) == (
        clerk,
        alice_mother,
        "search",
        "10.1.2.3",
        "复诊核对",
    )
    assert alice_mother.id_number not in log.detail and "1111" not in log.detail


def test_the_list_has_no_get_search_that_would_put_numbers_in_urls(clerk_client, alice_mother):
    page = clerk_client.get(reverse(CHANGELIST)).content.decode()
    assert 'id="searchbar"' not in page and reverse(FIND) in page
    listed = clerk_client.get(reverse(CHANGELIST), {"q": alice_mother.id_number})
    assert not AccessLog.objects.exists() and listed.status_code in (200, 302)
    assert clerk_client.get(reverse(FIND)).status_code == 200  # the empty form


@pytest.mark.parametrize("number", ["", "1" * 41, "110\x00101"])
def test_a_bad_search_is_a_clear_400_and_logs_nothing(clerk_client, alice_mother, number):
    response = find(clerk_client, number)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not AccessLog.objects.exists()


def test_a_partial_number_finds_nobody_and_is_logged_too(clerk_client, alice_mother):
    page = find(clerk_client, alice_mother.id_number[:10]).content
    assert "李*英".encode() not in page and "找到 0 位就诊人".encode() in page
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


def test_a_region_code_younger_than_the_patient_is_a_remark_for_staff(clerk_client, alice):
    from datetime import date

    from . import factories

    born = date(1958, 6, 1)
    grandfather = factories.patient(  # 320505 (虎丘区) exists since 2000: a first-generation card
        alice,
        name="李建华",
        sex="male",
        birth_date=born,
        relation="parent",
        id_number=factories.resident_id(born, "male", region="320505", seq=7),
    )
    url = reverse("admin:patients_patient_change", args=[grandfather.pk])
    page = clerk_client.get(url).content.decode()
    assert "证件备注" in page and "地区码不是出生当年的行政区划" in page
    assert grandfather.id_number not in page


def test_staff_without_permission_see_nothing_and_leave_no_log(client, alice_mother):
    user = User.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(user)
    url = reverse("admin:patients_patient_change", args=[alice_mother.pk])
    assert client.get(url).status_code == 403
    assert find(client, alice_mother.id_number).status_code == 403
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


def test_staff_of_another_institution_cannot_list_find_or_open_its_patients(
    charlie_client, alice_self, alice_mother
):
    page = charlie_client.get(reverse(CHANGELIST)).content.decode()
    assert "王*红" not in page and "李*英" not in page
    page = find(charlie_client, alice_mother.id_number).content
    assert "李*英".encode() not in page
    search = AccessLog.objects.get()  # the search itself is on record, finding nobody
    assert search.patient is None and search.staff.username == "charlie"
    url = reverse("admin:patients_patient_change", args=[alice_mother.pk])
    response = charlie_client.get(url)
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert not AccessLog.objects.filter(action="view").exists()


def test_staff_read_only_their_institutions_audit_entries(
    charlie_client, clerk_client, alice_mother
):
    clerk_client.get(reverse("admin:patients_patient_change", args=[alice_mother.pk]))
    find(charlie_client, "13800000000")
    response = charlie_client.get(reverse("admin:patients_accesslog_changelist"))
    seen = list(response.context["cl"].queryset)
    assert [log.staff.username for log in seen] == ["charlie"]
    assert AccessLog.objects.count() == 2


def test_staff_edit_only_their_institutions_patient_policy(charlie_client, hospital):
    policy = PatientPolicy.objects.create(institution=hospital, max_patients=3)
    url = reverse("admin:patients_patientpolicy_change", args=[policy.pk])
    assert charlie_client.get(url).status_code == 302
