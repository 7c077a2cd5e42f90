"""The patient's pages: ask, my consultations, one consultation. Another user, another
account of the hospital and another institution's account are refused (404), and bad input
is a form error naming the field (400) that records nothing."""

import pytest

from carebridge.engagement.actions.consultations import receive_question
from carebridge.engagement.models import Consultation, ConsultChannel, ConsultStatus, Faq
from carebridge.institutions.models import WeChatAccount
from conftest import ALICE_OPENID, wechat_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices(alice, account, depts):
    return receive_question(account, alice, "孩子咳嗽一周了", ConsultChannel.WECHAT).consultation


def test_alice_asks_about_her_mother_and_reads_the_thread(alice_client, alice_mother, depts):
    response = alice_client.post(
        "/h5/renai/ask/", {"patient": alice_mother.pk, "question": "我妈妈膝盖疼，上下楼更疼"}
    )
    c = Consultation.objects.get()
    assert response.status_code == 302 and response.url == f"/h5/renai/consultations/{c.pk}/"
    assert c.patient == alice_mother and c.channel == ConsultChannel.H5
    page = alice_client.get(response.url).content.decode()
    assert "我妈妈膝盖疼" in page and "骨科" in page
    assert "李秀英" not in page  # masked
    assert "我妈妈膝盖疼" in alice_client.get("/h5/renai/consultations/").content.decode()


def test_staff_notes_never_show_to_the_patient(alice_client, alices, dr_chen):
    from carebridge.engagement.actions.consultations import add_note

    add_note(alices, dr_chen, "内部：患者上次未到诊")
    page = alice_client.get(f"/h5/renai/consultations/{alices.pk}/").content.decode()
    assert "未到诊" not in page


@pytest.mark.parametrize(
    "form,field",
    [({"question": ""}, "question"), ({"question": "问" * 1001}, "question")],
)
def test_a_bad_question_is_a_form_error(alice_client, depts, form, field):
    response = alice_client.post("/h5/renai/ask/", form)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("patient", ["bob", "x", "999999"])
def test_a_patient_not_of_the_account_is_a_form_error(alice_client, bob_self, depts, patient):
    value = bob_self.pk if patient == "bob" else patient
    response = alice_client.post("/h5/renai/ask/", {"patient": value, "question": "腰疼"})
    assert response.status_code == 400 and "patient" in response.context["form"].errors
    assert not Consultation.objects.exists()


def test_bob_cannot_open_nor_escalate_alices_consultation(bob_client, bob, alices):
    assert bob_client.get(f"/h5/renai/consultations/{alices.pk}/").status_code == 404
    assert bob_client.post(f"/h5/renai/consultations/{alices.pk}/person/").status_code == 404
    assert "咳嗽" not in bob_client.get("/h5/renai/consultations/").content.decode()


def test_the_same_user_on_another_account_sees_nothing(client, hospital, alices):
    WeChatAccount.objects.create(institution=hospital, slug="renai2", name="仁爱医院订阅号")
    other = wechat_session(client, WeChatAccount.objects.get(slug="renai2"), ALICE_OPENID)
    assert other.get(f"/h5/renai2/consultations/{alices.pk}/").status_code == 404
    assert "咳嗽" not in other.get("/h5/renai2/consultations/").content.decode()


def test_another_institutions_account_is_refused(client, other_hospital, alices):
    other = wechat_session(client, WeChatAccount.objects.get(slug="xinhua"), ALICE_OPENID)
    assert other.get(f"/h5/xinhua/consultations/{alices.pk}/").status_code == 404


def test_still_need_a_person_from_the_page(alice_client, alice, account, depts, hospital):
    from carebridge.engagement import consult_faq

    faq = Faq.objects.create(
        institution=hospital,
        key="p",
        question="医院停车方便吗？",
        answer="有停车场。",
        approved=True,
    )
    consult_faq.refresh_vector(faq)
    c = receive_question(account, alice, "医院停车方便吗", ConsultChannel.WECHAT).consultation
    assert c.status == ConsultStatus.AUTO
    page = alice_client.get(f"/h5/renai/consultations/{c.pk}/").content.decode()
    assert "转人工" in page
    assert alice_client.get(f"/h5/renai/consultations/{c.pk}/person/").status_code == 405
    response = alice_client.post(f"/h5/renai/consultations/{c.pk}/person/")
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == ConsultStatus.OPEN


def test_signed_out_users_are_sent_to_sign_in(client, account):
    response = client.get("/h5/renai/ask/")
    assert response.status_code == 302 and "/oauth/" in response.url
