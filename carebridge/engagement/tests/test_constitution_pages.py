"""中医体质辨识 pages: taking the test for one of the account's patients, the result kept in the
account's record with advice from the content app by tag, incomplete answers refused, and
nobody else's patient or result found (IDOR)."""

import pytest
from django.test import Client
from django.utils import timezone

from carebridge.content.models import Article
from carebridge.engagement.constitution import items_for
from carebridge.engagement.models import ConstitutionResult
from carebridge.patients.models import AccessLog
from conftest import wechat_session

pytestmark = pytest.mark.django_db


def sheet(patient, value="1", **overrides) -> dict:
    data = {item.key: value for item in items_for(patient.sex)}
    data.update(overrides)
    return {"patient": patient.pk, **data}


def test_the_test_is_kept_for_the_patient_with_its_advice(
    alice_client, alice, alice_self, hospital
):
    Article.objects.create(
        institution=hospital, kind="education", category="health", title="阳虚质怎么调养",
        body="<p>注意保暖</p>", tags="阳虚质,中医体质", is_published=True,
    )  # fmt: skip
    page = alice_client.get("/h5/renai/constitution/").content.decode()
    assert page.count('<select class="weui-select" name="') == 60 + 1  # the items and the patient
    assert "带下色黄" in page and "阴囊" not in page  # alice is a woman
    data = sheet(alice_self, "1", c1="5", c2="5", c3="5", c6="5", c7="5", a5="5", b5="5")
    response = alice_client.post("/h5/renai/constitution/", data)
    result = ConstitutionResult.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{result.pk}/")
    assert result.patient == alice_self
    # 阳虚: all seven 5 → (35 − 7) / 28 = 100.0; 平和: 2 + (6−5) + 5×5 = 28 → 62.5, but 阳虚 ≥ 40.
    assert result.scores["yangxu"] == "100.0" and result.verdicts["yangxu"] == "yes"
    assert result.scores["pinghe"] == "62.5" and result.verdicts["pinghe"] == "no"
    page = alice_client.get(response["Location"]).content.decode()
    assert "阳虚质" in page and "阳虚质怎么调养" in page
    assert "阳虚质" in alice_client.get("/h5/renai/surveys/").content.decode()


def test_a_man_is_asked_his_item(alice_client, alice, alice_self):
    alice_self.sex = "male"
    alice_self.save(update_fields=["sex"])
    page = alice_client.get("/h5/renai/constitution/").content.decode()
    assert "阴囊" in page and "带下色黄" not in page


@pytest.mark.parametrize("bad", [{"a1": ""}, {"a1": "6"}, {"a1": "0"}, {"b2": "x"}])
def test_an_incomplete_or_bad_sheet_is_refused(alice_client, alice_self, bad):
    response = alice_client.post("/h5/renai/constitution/", sheet(alice_self, **bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert "还有 1 题未作答" in page and 'aria-invalid="true"' in page
    assert not ConstitutionResult.objects.exists()


def test_her_mothers_test_is_hers_to_take(alice_client, alice_mother):
    response = alice_client.post("/h5/renai/constitution/", sheet(alice_mother))
    assert response.status_code == 302
    assert ConstitutionResult.objects.get().patient == alice_mother


def test_it_refuses_another_accounts_patient(alice_client, alice, bob_self):
    assert alice_client.get(f"/h5/renai/constitution/?patient={bob_self.pk}").status_code == 404
    assert alice_client.post("/h5/renai/constitution/", sheet(bob_self)).status_code == 404
    assert not ConstitutionResult.objects.exists()


def test_it_refuses_another_accounts_result(alice_client, alice, bob_client, bob_self):
    assert bob_client.post("/h5/renai/constitution/", sheet(bob_self)).status_code == 302
    result = ConstitutionResult.objects.get()
    assert alice_client.get(f"/h5/renai/constitution/{result.pk}/").status_code == 404
    assert bob_client.get(f"/h5/renai/constitution/{result.pk}/").status_code == 200
    assert bob_client.get(f"/h5/xinhua/constitution/{result.pk}/").status_code in (302, 404)


def test_another_hospitals_account_finds_nothing(alice_client, alice_self, other_hospital):
    assert alice_client.post("/h5/renai/constitution/", sheet(alice_self)).status_code == 302
    result = ConstitutionResult.objects.get()
    stranger = wechat_session(
        Client(), other_hospital.wechat_accounts.get(), alice_self.owner.openid
    )
    assert stranger.get(f"/h5/xinhua/constitution/{result.pk}/").status_code == 404


def test_an_archived_patients_results_are_gone(alice_client, alice_self, alice_mother):
    assert alice_client.post("/h5/renai/constitution/", sheet(alice_mother)).status_code == 302
    result = ConstitutionResult.objects.get()
    alice_mother.archived_at = timezone.now()
    alice_mother.save(update_fields=["archived_at"])
    assert alice_client.get(f"/h5/renai/constitution/{result.pk}/").status_code == 404


def test_staff_opening_a_result_is_audited(admin_client, alice_client, alice_self):
    assert alice_client.post("/h5/renai/constitution/", sheet(alice_self)).status_code == 302
    result = ConstitutionResult.objects.get()
    listing = admin_client.get("/admin/engagement/constitutionresult/").content.decode()
    assert "王*红" in listing and "王小红" not in listing
    assert not AccessLog.objects.exists()
    assert (
        admin_client.get(f"/admin/engagement/constitutionresult/{result.pk}/change/").status_code
        == 200
    )
    assert AccessLog.objects.get().patient == alice_self


@pytest.mark.parametrize("patient", ["abc", "", "999999"])
def test_a_bad_patient_is_not_found(alice_client, alice_self, patient):
    data = sheet(alice_self)
    data["patient"] = patient
    expected = 302 if patient == "" else 404  # none named: the account's default patient
    assert alice_client.post("/h5/renai/constitution/", data).status_code == expected
    if patient:
        assert alice_client.get(f"/h5/renai/constitution/?patient={patient}").status_code == 404


def test_a_user_without_patients_is_asked_to_add_one(alice_client, alice):
    page = alice_client.get("/h5/renai/constitution/").content.decode()
    assert "请先添加就诊人" in page and 'href="/h5/renai/patients/add/"' in page
    assert alice_client.post("/h5/renai/constitution/", {"a1": "1"}).status_code == 404
