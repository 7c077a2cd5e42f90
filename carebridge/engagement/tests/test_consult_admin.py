"""The back office inbox: a department's staff see and answer their department's consultations
only, operations all of the institution's (triage included), another institution's staff
none; opening one is audited; reply, canned answer, note, transfer and close are one form."""

import pytest
from django.contrib.auth.models import User

from carebridge.engagement.actions.consultations import receive_question
from carebridge.engagement.models import (
    CannedAnswer,
    ConsultChannel,
    ConsultStatus,
    MessageKind,
)
from carebridge.institutions.models import StaffMember
from carebridge.patients.models import AccessLog

pytestmark = pytest.mark.django_db

URL = "/admin/engagement/consultation/"


@pytest.fixture
def asked(alice, alice_self, account, depts):
    def ask(text, patient=None):
        return receive_question(
            account, alice, text, ConsultChannel.H5, patient=patient
        ).consultation

    return {
        "heart": ask("最近心慌胸闷", alice_self),
        "bone": ask("膝盖疼上下楼更明显"),
    }


def post_form(client, c, **data):
    count = c.messages.count()
    form = {
        "messages-TOTAL_FORMS": str(count),
        "messages-INITIAL_FORMS": str(count),
        "messages-MIN_NUM_FORMS": "0",
        "messages-MAX_NUM_FORMS": "1000",
        **{f"messages-{i}-id": str(m.pk) for i, m in enumerate(c.messages.all())},
        **{f"messages-{i}-consultation": str(c.pk) for i in range(count)},
        **data,
    }
    return client.post(f"{URL}{c.pk}/change/", form)


def test_department_staff_see_their_departments_inbox_only(client, dr_chen, asked):
    client.force_login(dr_chen)
    page = client.get(URL).content.decode()
    assert f"{URL}{asked['heart'].pk}/change/" in page
    assert f"{URL}{asked['bone'].pk}/change/" not in page
    assert client.get(f"{URL}{asked['bone'].pk}/change/").status_code == 302  # "not found"


def test_operations_see_every_department(client, ms_xu, asked):
    client.force_login(ms_xu)
    page = client.get(URL).content.decode()
    assert all(f"{URL}{c.pk}/change/" in page for c in asked.values())


def test_another_institutions_staff_see_nothing(client, other_hospital, asked):
    from carebridge.engagement.tests.conftest import _staff

    stranger = _staff(other_hospital, "xinhua_ops", None)
    client.force_login(stranger)
    assert f"{URL}{asked['heart'].pk}/change/" not in client.get(URL).content.decode()
    assert client.get(f"{URL}{asked['heart'].pk}/change/").status_code == 302


def test_opening_a_consultation_is_audited_and_the_patient_masked(client, dr_chen, asked):
    client.force_login(dr_chen)
    page = client.get(f"{URL}{asked['heart'].pk}/change/").content.decode()
    assert "王小红" not in page and "心慌" in page
    assert AccessLog.objects.filter(patient=asked["heart"].patient).exists()


def test_staff_reply_with_a_canned_answer_and_a_note(client, dr_chen, asked, hospital):
    canned = CannedAnswer.objects.create(
        institution=hospital, title="门诊", text="建议到心内科门诊就诊。"
    )
    client.force_login(dr_chen)
    c = asked["heart"]
    response = post_form(client, c, canned=canned.pk, note="已电话联系")
    assert response.status_code == 302, response.content.decode()[-2000:]
    c.refresh_from_db()
    assert c.status == ConsultStatus.ANSWERED
    kinds = {m.kind: m for m in c.messages.all()}
    assert kinds[MessageKind.REPLY].text == canned.text
    assert kinds[MessageKind.REPLY].author == dr_chen
    assert kinds[MessageKind.NOTE].text == "已电话联系"


def test_transfer_and_close_from_the_form(client, ms_xu, asked, depts):
    client.force_login(ms_xu)
    c = asked["bone"]
    assert post_form(client, c, transfer_to=depts["儿科"].pk, close="on").status_code == 302
    c.refresh_from_db()
    assert c.department == depts["儿科"] and c.status == ConsultStatus.CLOSED


def test_a_foreign_department_or_a_too_long_reply_is_a_form_error(
    client, ms_xu, asked, other_hospital
):
    from carebridge.engagement.tests.consult_helpers import departments

    foreign = departments(other_hospital)["骨科"]
    client.force_login(ms_xu)
    c = asked["bone"]
    response = post_form(client, c, transfer_to=foreign.pk, reply="字" * 1501)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"transfer_to", "reply"} <= set(errors)
    c.refresh_from_db()
    assert c.status == ConsultStatus.OPEN and c.department.name == "骨科"
    assert c.department.institution != other_hospital


def test_staff_without_the_permission_are_refused(client, hospital, asked):
    user = User.objects.create_user("clerk", "c@renai.example.cn", "pw-12345-long", is_staff=True)
    StaffMember.objects.create(user=user, institution=hospital)
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_nobody_invents_a_consultation(client, db):
    client.force_login(User.objects.create_superuser("root", "r@example.invalid", "pw-12345-long"))
    assert client.get(f"{URL}add/").status_code == 403
