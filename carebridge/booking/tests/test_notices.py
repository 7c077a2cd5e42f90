"""Notices of a doctor's suspension (停诊) or a visiting expert, published in the back office,
reach the patients already booked: a suspension stops the sessions it covers and offers
cancellation with a full refund; each notice is pushed once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from carebridge.booking.actions import (
    announce_notice,
    cancel_appointment,
)
from carebridge.booking.models import Appointment, BookingPolicy, PaymentStatus
from carebridge.institutions.actions import create_doctor_notice
from carebridge.institutions.models import DoctorNotice, NoticeKind
from carebridge.wechat.models import TemplateSend

from .helpers import WECHAT, before_visit, book, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates(hospital):
    return BookingPolicy.objects.create(
        institution=hospital,
        tpl_suspension="TPL_SUSPEND",
        tpl_doctor_notice="TPL_NOTICE",
        release_days_ahead=14,
    )


@pytest.fixture
def week(hospital, cardiology, dr_wang, tomorrow, alice, alice_self, bob, bob_self):
    """Dr Wang tomorrow (alice booked), in three days (bob booked) and in ten days (alice)."""
    sessions = {
        n: make_session(hospital, cardiology, dr_wang, tomorrow + timedelta(days=n - 1))
        for n in (1, 3, 10)
    }
    now = before_visit(sessions[1])
    booked = {
        1: book(alice_self, sessions[1], WECHAT, booked_by=alice, now=now),
        3: book(bob_self, sessions[3], WECHAT, booked_by=bob, now=now),
        10: book(alice_self, sessions[10], WECHAT, booked_by=alice, now=now),
    }
    return sessions, booked


def notice(hospital, tomorrow, kind=NoticeKind.SUSPENSION, days=3, **fields):
    return create_doctor_notice(
        institution=hospital,
        kind=kind,
        starts_on=tomorrow,
        ends_on=tomorrow + timedelta(days=days - 1),
        text=fields.pop("text", "王建国医生外出学习,停诊。"),
        **fields,
    )


def sent(template_id):
    return list(TemplateSend.objects.filter(template_id=template_id).order_by("id"))


def statuses(sessions):
    return {n: type(s).objects.get(pk=s.pk).status for n, s in sessions.items()}


def test_a_suspension_notice_suspends_the_doctors_sessions_in_its_period_and_tells_the_booked(
    hospital, dr_wang, tomorrow, week, alice, bob
):
    sessions, booked = week
    n = notice(hospital, tomorrow, doctor=dr_wang)
    assert statuses(sessions) == {1: "suspended", 3: "suspended", 10: "open"}
    assert sorted(m.openid for m in sent("TPL_SUSPEND")) == sorted([alice.openid, bob.openid])
    remark = sent("TPL_SUSPEND")[0].data["remark"]["value"]
    assert "王建国医生外出学习,停诊。点击查看并取消预约,已付挂号费将全额退还" == remark
    n.refresh_from_db()
    assert n.announced_at is not None
    # The patients may cancel whatever the deadline; a paid fee is owed back in full.
    a = booked[1]
    Appointment.objects.filter(pk=a.pk).update(payment_status=PaymentStatus.PAID)
    a.refresh_from_db()
    done = cancel_appointment(a, now=sessions[1].starts_at - timedelta(minutes=1))
    assert (done.status, done.payment_status) == ("cancelled", "refund_due")


def test_a_notice_is_pushed_once(hospital, dr_wang, tomorrow, week):
    n = notice(hospital, tomorrow, doctor=dr_wang)
    assert announce_notice(n) == {"sessions": 0, "patients": 0}
    assert len(sent("TPL_SUSPEND")) == 2


def test_an_unpublished_notice_does_nothing_until_published(hospital, dr_wang, tomorrow, week):
    sessions, _ = week
    n = notice(hospital, tomorrow, doctor=dr_wang, is_published=False)
    assert announce_notice(n) == {"sessions": 0, "patients": 0}
    assert statuses(sessions)[1] == "open" and sent("TPL_SUSPEND") == []
    DoctorNotice.objects.filter(pk=n.pk).update(is_published=True)
    n.refresh_from_db()
    assert announce_notice(n) == {"sessions": 2, "patients": 2}


def test_a_session_already_over_is_left_alone(hospital, dr_wang, tomorrow, week):
    from unittest import mock

    sessions, _ = week
    after_first = sessions[1].ends_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=after_first):
        n = notice(hospital, tomorrow, doctor=dr_wang)
    assert statuses(sessions) == {1: "open", 3: "suspended", 10: "open"}
    assert DoctorNotice.objects.get(pk=n.pk).announced_at == after_first


def test_a_department_suspension_stops_every_clinic_of_the_department(
    hospital, cardiology, tomorrow, week
):
    sessions, _ = week
    clinic = make_session(hospital, cardiology, None, tomorrow, period="afternoon")
    result = notice(hospital, tomorrow, department=cardiology, days=1)
    assert statuses({1: sessions[1], "clinic": clinic, 3: sessions[3]}) == {
        1: "suspended",
        "clinic": "suspended",
        3: "open",
    }
    assert DoctorNotice.objects.get(pk=result.pk).announced_at


def test_a_visiting_expert_notice_tells_the_patients_booked_with_that_doctor(
    hospital, dr_wang, tomorrow, week, alice, bob, bob_self, cardiology
):
    sessions, _ = week
    colleague = hospital.doctors.create(name="李医生", title="主治医师")
    colleague.departments.add(cardiology)
    other = make_session(hospital, cardiology, colleague, tomorrow)
    book(bob_self, other, WECHAT, booked_by=bob, now=before_visit(other))
    notice(
        hospital,
        tomorrow,
        kind=NoticeKind.VISITING_EXPERT,
        doctor=dr_wang,
        text="王建国教授本周在新院区门诊楼5层出诊",
    )
    messages = sent("TPL_NOTICE")
    assert sorted(m.openid for m in messages) == sorted([alice.openid, bob.openid])
    assert {m.data["first"]["value"] for m in messages} == {"专家来院"}
    assert messages[0].data["remark"]["value"] == "王建国教授本周在新院区门诊楼5层出诊"
    assert all(s == "open" for s in statuses(sessions).values())  # nothing is suspended


def test_a_department_wide_visiting_expert_notice_is_for_the_pages_only(
    hospital, cardiology, tomorrow, week
):
    notice(hospital, tomorrow, kind=NoticeKind.VISITING_EXPERT, department=cardiology)
    assert sent("TPL_NOTICE") == []


def test_a_refused_notice_changes_nothing(hospital, dr_wang, tomorrow, week, other_hospital):
    from django.core.exceptions import ValidationError

    sessions, _ = week
    with pytest.raises(ValidationError):
        notice(hospital, tomorrow, doctor=other_hospital.doctors.get())
    with pytest.raises(ValidationError):
        create_doctor_notice(
            institution=hospital,
            kind=NoticeKind.SUSPENSION,
            doctor=dr_wang,
            starts_on=tomorrow,
            ends_on=tomorrow - timedelta(days=1),
            text="倒序",
        )
    assert statuses(sessions) == {1: "open", 3: "open", 10: "open"}
    assert not DoctorNotice.objects.exists() and TemplateSend.objects.count() == 0


@pytest.fixture
def operator(client):
    user = User.objects.create_superuser("ops", "ops@example.com", "pw-ops-12345")
    client.force_login(user)
    return client


def test_staff_publish_a_suspension_in_the_back_office(
    operator, hospital, cardiology, dr_wang, tomorrow, week
):
    sessions, _ = week
    response = operator.post(
        reverse("admin:institutions_doctornotice_add"),
        {
            "institution": hospital.pk,
            "kind": "suspension",
            "doctor": dr_wang.pk,
            "department": cardiology.pk,
            "starts_on": tomorrow.isoformat(),
            "ends_on": tomorrow.isoformat(),
            "text": "临时停诊",
            "text_en": "",
            "is_published": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "停诊 1 个出诊,已通知 1 位已预约患者" in response.content.decode()
    assert statuses(sessions) == {1: "suspended", 3: "open", 10: "open"}


def test_the_publish_action_announces_drafts(operator, hospital, dr_wang, tomorrow, week):
    sessions, _ = week
    draft = notice(hospital, tomorrow, doctor=dr_wang, is_published=False)
    operator.post(
        reverse("admin:institutions_doctornotice_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert statuses(sessions)[1] == "suspended"
    assert len(sent("TPL_SUSPEND")) == 2
    # Withdrawing and publishing again pushes nothing more.
    DoctorNotice.objects.filter(pk=draft.pk).update(is_published=False)
    operator.post(
        reverse("admin:institutions_doctornotice_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert len(sent("TPL_SUSPEND")) == 2
