"""The cashier opens a deposit account at the window for a patient who has none yet, found by
medical card or ID number among their own institution's patients; every search is audited and
bad input is a form error that opens nothing."""

import pytest
from django.contrib.auth.models import Permission, User

from carebridge.billing.actions.deposits import top_up_at_window
from carebridge.billing.models import DepositAccount
from carebridge.institutions.models import StaffMember
from carebridge.patients.models import AccessLog

pytestmark = pytest.mark.django_db
OPEN = "/admin/billing/depositaccount/open/"


@pytest.fixture
def staff(client, cashier):
    client.force_login(cashier)
    return client


def by_id(patient, institution):
    return {
        "institution": institution.pk,
        "id_type": patient.id_type,
        "id_number": patient.id_number,
    }


def test_a_patient_found_by_id_number_gets_an_account_and_the_search_is_audited(
    staff, cashier, hospital, alice_mother
):
    page = staff.get("/admin/billing/depositaccount/").content.decode()
    assert OPEN in page and "窗口开户" in page
    assert staff.get(OPEN).status_code == 200
    r = staff.post(OPEN, by_id(alice_mother, hospital))
    account = DepositAccount.objects.get()
    assert (account.institution, account.patient, account.balance) == (hospital, alice_mother, 0)
    assert r.status_code == 302 and r.url.endswith(f"/depositaccount/{account.pk}/change/")
    looks = AccessLog.objects.filter(staff=cashier, patient=alice_mother)
    assert sorted(looks.values_list("action", flat=True)) == ["search", "view"]
    assert "已开立预交金账户" in staff.get(r.url).content.decode()


def test_a_patient_found_by_card_number_and_an_account_opened_once(staff, hospital, alice_self):
    alice_self.set_card_number("RA000123")  # as the patient pages store it
    alice_self.save()
    top_up_at_window(hospital, alice_self, 5000, "cash", "SJ9")
    r = staff.post(OPEN, {"institution": hospital.pk, "card_number": " ra-000123 "})
    assert r.status_code == 302
    account = DepositAccount.objects.get()
    assert account.balance == 5000  # the same account, not a second one
    assert "该就诊人已有预交金账户" in staff.get(r.url).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请填写就诊卡号,或证件类型与号码"),
        ({"id_type": "resident_id"}, "请填写就诊卡号,或证件类型与号码"),
        ({"id_type": "resident_id", "id_number": "110101199003070000"}, "校验"),
        ({"id_type": "spaceship", "id_number": "X1"}, "选择一个有效的选项"),
        ({"card_number": "x" * 65}, "64"),
        ({"card_number": "卡号"}, "就诊卡号只能包含字母和数字"),
    ],
)
def test_bad_input_is_a_form_error_and_opens_nothing(staff, hospital, data, message):
    r = staff.post(OPEN, {"institution": hospital.pk, **data})
    assert r.status_code == 400 and message in r.content.decode()
    assert not DepositAccount.objects.exists()


def test_nobody_found_is_a_form_error_and_the_search_is_still_audited(
    staff, cashier, hospital, alice_mother
):
    data = by_id(alice_mother, hospital)
    alice_mother.delete()
    r = staff.post(OPEN, data)
    assert r.status_code == 400 and "未找到该就诊人" in r.content.decode()
    assert not DepositAccount.objects.exists()
    assert AccessLog.objects.filter(staff=cashier, action="search", patient=None).count() == 1


def test_staff_of_another_institution_cannot_open_one_for_our_patient(
    client, hospital, other_hospital, alice_mother
):
    user = User.objects.create_user("xinhua", "x@xinhua.example.cn", "pw-xinhua-123", is_staff=True)
    StaffMember.objects.create(user=user, institution=other_hospital)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="billing"))
    client.force_login(user)
    r = client.post(OPEN, by_id(alice_mother, hospital))  # our institution: not theirs to pick
    assert r.status_code == 400 and "选择一个有效的选项" in r.content.decode()
    r = client.post(OPEN, by_id(alice_mother, other_hospital))  # theirs: she is not a patient
    assert r.status_code == 400 and "未找到该就诊人" in r.content.decode()
    assert not DepositAccount.objects.exists()


def test_only_a_cashier_may_open_accounts(client, hospital, alice_mother):
    user = User.objects.create_user("viewer", "v@renai.example.cn", "pw-viewer-123", is_staff=True)
    StaffMember.objects.create(user=user, institution=hospital)
    user.user_permissions.set(Permission.objects.filter(codename="view_depositaccount"))
    client.force_login(user)
    assert OPEN not in client.get("/admin/billing/depositaccount/").content.decode()
    assert client.get(OPEN).status_code == 403
    assert client.post(OPEN, by_id(alice_mother, hospital)).status_code == 403
    assert not DepositAccount.objects.exists()


def test_staff_of_no_institution_are_refused(client, hospital, alice_mother):
    user = User.objects.create_user("nobody", "n@example.cn", "pw-nobody-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="billing"))
    client.force_login(user)
    assert client.post(OPEN, by_id(alice_mother, hospital)).status_code == 403


def test_a_superuser_chooses_the_institution(admin_client, hospital, other_hospital, alice_mother):
    page = admin_client.get(OPEN).content.decode()
    assert "新华医院" in page and "仁爱医院" in page
    assert admin_client.post(OPEN, by_id(alice_mother, hospital)).status_code == 302
    assert DepositAccount.objects.get().institution == hospital
