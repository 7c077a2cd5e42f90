"""The H5 pages: alice manages her patients; bob gets 404 for every one of hers and changes
nothing; no page shows a full ID or phone number; English works."""

from datetime import date

import pytest
from django.urls import reverse

from carebridge.patients.models import Patient, PatientPolicy

from . import factories
from .helpers import last_code

pytestmark = pytest.mark.django_db

MOTHER_ID = factories.resident_id(date(1962, 8, 15), "female", seq=40)


def url(name, account, patient=None):
    kwargs = {"slug": account.slug}
    if patient is not None:
        kwargs["pk"] = patient.pk
    return reverse(f"patients:{name}", kwargs=kwargs)


def snapshot(patient):
    row = Patient.objects.get(pk=patient.pk)
    return (row.relation, row.phone, row.card_number, row.is_default, row.archived_at)


def form_data(**overrides):
    data = {
        "name": "李秀英",
        "id_type": "resident_id",
        "id_number": MOTHER_ID,
        "phone": "13900001111",
        "relation": "parent",
        "card_number": "",
        "birth_date": "",
        "sex": "",
    }
    data.update(overrides)
    return data


def test_the_list_shows_my_patients_masked(alice_client, account, alice_self, alice_mother):
    page = alice_client.get(url("list", account)).content.decode()
    assert "王小红" in page and "李秀英" in page
    assert alice_mother.masked_id_number() in page and "139****1111" in page
    for number in (alice_self.id_number, alice_mother.id_number, "13812345678", "13900001111"):
        assert number not in page
    assert "默认" in page


def test_pages_ask_a_stranger_to_sign_in_through_wechat(client, account):
    response = client.get(url("list", account))
    assert response.status_code == 302 and "oauth" in response["Location"]


def test_adding_a_patient_with_the_phone_code(alice_client, account, alice):
    response = alice_client.post(url("add", account), {**form_data(), "send_code": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "验证码已发送" in page
    assert 'value="李秀英"' in page  # what she typed is kept while she reads the code
    response = alice_client.post(url("add", account), {**form_data(), "code": last_code(alice)})
    assert response.status_code == 302
    mother = Patient.objects.get(owner=alice)
    assert (mother.birth_date, mother.sex, mother.is_default) == (date(1962, 8, 15), "female", True)
    assert mother.phone_verified_at is not None


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"id_number": MOTHER_ID[:-1] + ("0" if MOTHER_ID[-1] != "0" else "1")}, "校验位不正确"),
        ({"birth_date": "1962-08-16"}, "出生日期与证件号码不一致"),
        ({"sex": "male"}, "性别与证件号码不一致"),
        ({"phone": "12345"}, "11位中国大陆手机号码"),
        ({"id_type": "passport", "id_number": "护照"}, "5至17位字母和数字"),
        ({"name": ""}, "这个字段是必填项"),
        ({"code": "000000"}, "请先获取短信验证码"),
        ({"id_type": "social_security"}, "本院不接受该证件类型"),
    ],
)
def test_each_bad_input_gets_a_form_error_and_adds_nothing(
    alice_client, account, overrides, field_message
):
    response = alice_client.post(url("add", account), form_data(**overrides))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "region, born",
    [("320503", date(1960, 4, 12)), ("310115", date(1980, 1, 31)), ("990101", date(1951, 9, 9))],
)
def test_an_older_parent_is_added_whatever_the_region_of_the_number(
    alice_client, account, alice, region, born
):
    # The region code of a first-generation card may be younger than its holder (issue 10).
    number = factories.resident_id(born, "female", region=region, seq=40)
    data = form_data(id_number=number, phone="13900002222")
    alice_client.post(url("add", account), {**data, "send_code": "1"})
    response = alice_client.post(url("add", account), {**data, "code": last_code(alice)})
    assert response.status_code == 302
    mother = Patient.objects.get(owner=alice)
    assert (mother.id_number, mother.birth_date, mother.sex) == (number, born, "female")
    page = alice_client.get(url("list", account)).content.decode()
    assert "地区码" not in page  # the staff's remark is not the patient's business


@pytest.mark.parametrize(
    "body, message",
    [
        ("32050519600230004", "出生日期无效"),  # 30 February
        ("32050529990101004", "出生日期晚于今天"),
        ("32050518500101004", "出生日期早于"),
    ],
)
def test_a_number_with_an_impossible_birth_date_is_refused_on_the_form(
    alice_client, account, body, message
):
    response = alice_client.post(
        url("add", account), form_data(id_number=factories.with_check(body))
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Patient.objects.exists()


def test_the_add_form_offers_only_the_accepted_documents(alice_client, account, hospital):
    PatientPolicy.objects.create(
        institution=hospital, accepted_id_types=["social_security"], max_age=18, notice="儿童专用"
    )
    page = alice_client.get(url("add", account)).content.decode()
    assert 'value="social_security"' in page and 'value="resident_id"' not in page
    assert "儿童专用" in page and "未满18周岁" in page


def test_the_add_button_goes_at_the_limit(alice_client, account, hospital, alice_self):
    PatientPolicy.objects.create(institution=hospital, max_patients=1)
    page = alice_client.get(url("list", account)).content.decode()
    assert url("add", account) not in page
    response = alice_client.post(url("add", account), form_data())
    assert "最多添加1位就诊人" in response.content.decode()


def test_editing_relation_and_card_number(alice_client, account, alice_mother):
    response = alice_client.post(
        url("edit", account, alice_mother), {"relation": "other", "new_card_number": "a0012345"}
    )
    assert response.status_code == 302
    alice_mother.refresh_from_db()
    assert (alice_mother.relation, alice_mother.card_number) == ("other", "A0012345")
    page = alice_client.get(url("edit", account, alice_mother)).content.decode()
    assert "A0012345" not in page and "A*****45" in page
    assert alice_mother.id_number not in page and "13900001111" not in page


def test_changing_the_phone_needs_a_code_for_the_new_phone(
    alice_client, account, alice, alice_mother
):
    data = {"relation": "parent", "new_phone": "13700002222"}
    response = alice_client.post(url("edit", account, alice_mother), data)
    assert "请填写短信验证码" in response.content.decode()
    assert Patient.objects.get(pk=alice_mother.pk).phone == "13900001111"
    alice_client.post(url("edit", account, alice_mother), {**data, "send_code": "1"})
    response = alice_client.post(
        url("edit", account, alice_mother), {**data, "code": last_code(alice)}
    )
    assert response.status_code == 302
    alice_mother.refresh_from_db()
    assert alice_mother.phone == "13700002222" and alice_mother.phone_verified_at


def test_set_default_and_delete(alice_client, account, alice_self, alice_mother):
    assert alice_client.get(url("default", account, alice_mother)).status_code == 405
    alice_client.post(url("default", account, alice_mother))
    alice_mother.refresh_from_db()
    assert alice_mother.is_default
    page = alice_client.get(url("delete", account, alice_self)).content.decode()
    assert alice_self.masked_id_number() in page and alice_self.id_number not in page
    alice_client.post(url("delete", account, alice_self))
    assert not Patient.objects.filter(pk=alice_self.pk).exists()


@pytest.mark.parametrize(
    "method, name, data",
    [
        ("get", "edit", None),
        ("post", "edit", {"relation": "other", "new_card_number": "B999"}),
        ("post", "edit", {"relation": "parent", "new_phone": "13700002222", "send_code": "1"}),
        ("post", "default", {}),
        ("get", "delete", None),
        ("post", "delete", {}),
    ],
)
def test_it_refuses_another_users_patient(
    bob_client, account, alice_self, alice_mother, method, name, data
):
    from carebridge.sandbox.models import SandboxMessage

    before = snapshot(alice_mother)
    call = getattr(bob_client, method)
    response = (
        call(url(name, account, alice_mother), data)
        if data is not None
        else call(url(name, account, alice_mother))
    )
    assert response.status_code == 404
    assert snapshot(alice_mother) == before
    assert not SandboxMessage.objects.filter(kind="sms").exists()
    assert "李秀英" not in bob_client.get(url("list", account)).content.decode()


def test_an_archived_patient_is_gone_from_the_pages(alice_client, account, alice_mother):
    from django.utils import timezone

    alice_mother.archived_at = timezone.now()
    alice_mother.save(update_fields=["archived_at"])
    assert alice_client.get(url("edit", account, alice_mother)).status_code == 404


def test_the_pages_speak_english(alice_client, account, alice_self):
    alice_client.cookies["django_language"] = "en"
    page = alice_client.get(url("list", account)).content.decode()
    assert "Patients" in page and "Default" in page and "Add a patient" in page
    assert "就诊人管理" not in page
    response = alice_client.post(
        url("add", account), form_data(phone="12345"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "mainland China mobile number" in response.content.decode()
