"""Duty-roster notices and doctor-profile updates go through the same workflow; a profile
update reaches the doctor only once published."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carebridge.content.actions import (
    WorkflowError,
    approve_proofreading,
    create_draft,
    propose_doctor_profile,
    publish_due_article,
    reject_article,
    review_article,
    submit_draft,
)
from carebridge.institutions.models import Doctor

from .workflow_personas import full_marks

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(hospital, cardiology):
    doctor = Doctor.objects.create(institution=hospital, name="王医生", title="主治医师")
    doctor.departments.add(cardiology)
    return doctor


def through_review(article, erin, harry, olivia, rubric):
    submit_draft(erin, article)
    approve_proofreading(harry, article)
    review_article(olivia, article, full_marks(rubric))
    return publish_due_article(article.pk, now=timezone.now() + timedelta(seconds=1))


def test_a_profile_update_applies_only_when_published(
    wang, cardiology, erin, harry, olivia, rubric
):
    update = propose_doctor_profile(erin, wang, cardiology, {"title": "副主任医师"})
    submit_draft(erin, update)
    approve_proofreading(harry, update)
    wang.refresh_from_db()
    assert wang.title == "主治医师"
    review_article(olivia, update, full_marks(rubric))
    assert publish_due_article(update.pk, now=timezone.now() + timedelta(seconds=1))
    wang.refresh_from_db()
    assert wang.title == "副主任医师"
    assert "主治医师 → 副主任医师" in update.body


def test_a_rejected_update_changes_nothing(wang, cardiology, erin, harry):
    update = propose_doctor_profile(erin, wang, cardiology, {"specialty": "心衰"})
    submit_draft(erin, update)
    reject_article(harry, update, "擅长写全")
    wang.refresh_from_db()
    assert wang.specialty == ""


def test_another_department_cannot_update_the_doctor(wang, paediatrics, paul):
    with pytest.raises(WorkflowError) as error:
        propose_doctor_profile(paul, wang, paediatrics, {"title": "主任医师"})
    assert error.value.field == "doctor"


@pytest.mark.parametrize("changes", [{}, {"name": "李"}, {"photo": "x"}])
def test_only_profile_fields_can_be_proposed(wang, cardiology, erin, changes):
    with pytest.raises(WorkflowError):
        propose_doctor_profile(erin, wang, cardiology, changes)


def test_a_too_long_value_is_refused(wang, cardiology, erin):
    with pytest.raises(Exception) as error:
        propose_doctor_profile(erin, wang, cardiology, {"title": "长" * 51})
    assert "title" in error.value.message_dict


def test_profile_updates_are_never_shown_to_patients(client, account, wang, cardiology, erin,
                                                     harry, olivia, rubric):  # fmt: skip
    update = propose_doctor_profile(erin, wang, cardiology, {"title": "副主任医师"})
    assert through_review(update, erin, harry, olivia, rubric)
    assert client.get(reverse("content:detail", args=["renai", update.pk])).status_code == 404
    assert list(client.get(reverse("content:list", args=["renai"])).context["page"]) == []


def test_a_roster_notice_is_listed_under_notices(client, account, hospital, cardiology, erin,
                                                 harry, olivia, rubric):  # fmt: skip
    roster = create_draft(
        erin, hospital, cardiology, kind="roster", category="notices",
        title="12月门诊出诊专家排班公告",
        body="<table><tr><td>周一</td><td>王医生</td></tr></table>",
    )  # fmt: skip
    assert through_review(roster, erin, harry, olivia, rubric)
    listed = client.get(reverse("content:list", args=["renai"]), {"category": "notice"})
    assert [a.title for a in listed.context["page"]] == ["12月门诊出诊专家排班公告"]
