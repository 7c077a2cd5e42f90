"""满意度调查 pages: the list, answering a survey once (per user, or per visit for an
after-visit survey), bad answers refused with the question named, and nobody else's visit or
another hospital's survey found (IDOR)."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from carebridge.booking.models import Channel
from carebridge.booking.tests.helpers import before_visit, book, make_session
from carebridge.engagement.actions.surveys import SurveyError, submit_response
from carebridge.engagement.models import SurveyResponse
from conftest import wechat_session

from .helpers import answers, make_survey, visit

pytestmark = pytest.mark.django_db


def url(survey, appointment=None):
    base = f"/h5/renai/surveys/{survey.pk}/"
    return f"{base}?visit={appointment.pk}" if appointment else base


def test_the_list_shows_the_open_surveys_polls_and_the_self_assessment(
    alice_client, alice, general_survey, hospital
):
    make_survey(hospital, kind="general", title="已结束", closes_at=timezone.now())
    page = alice_client.get("/h5/renai/surveys/").content.decode()
    assert "门诊满意度" in page and "已结束" not in page
    assert 'href="/h5/renai/constitution/"' in page


def test_an_after_visit_survey_is_answered_once_per_visit(alice_client, alice, alice_visit, survey):
    page = alice_client.get(url(survey, alice_visit)).content.decode()
    assert "心内科" in page and "王建国" in page
    response = alice_client.post(url(survey, alice_visit), answers(survey))
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert saved.department.name == "心内科" and saved.doctor.name == "王建国"
    assert saved.appointment == alice_visit and saved.patient == alice_visit.patient
    assert saved.answers[str(survey.questions.get(position=3).pk)] == 4
    again = alice_client.post(url(survey, alice_visit), answers(survey))
    assert again.status_code == 409 and "您已提交过" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    assert "您已提交这份问卷" in alice_client.get(url(survey, alice_visit)).content.decode()


def test_an_anonymous_survey_keeps_nobody(alice_client, alice_visit, hospital):
    survey = make_survey(hospital, anonymous=True)
    assert alice_client.post(url(survey, alice_visit), answers(survey)).status_code == 302
    saved = SurveyResponse.objects.get()
    assert (saved.follower, saved.patient, saved.appointment) == (None, None, None)
    assert saved.doctor.name == "王建国"  # still counted for the doctor
    assert alice_client.post(url(survey, alice_visit), answers(survey)).status_code == 409


def test_a_general_survey_is_answered_once_per_user(alice_client, alice, general_survey):
    assert alice_client.post(url(general_survey), answers(general_survey)).status_code == 302
    assert alice_client.post(url(general_survey), answers(general_survey)).status_code == 409
    assert SurveyResponse.objects.get().follower == alice


def test_the_branch_is_asked_only_when_its_condition_is_met(alice_client, general_survey):
    why = f"q{general_survey.questions.get(position=2).pk}"
    # 不满意: the follow-up becomes required.
    refused = alice_client.post(url(general_survey), answers(general_survey, q1="不满意"))
    assert refused.status_code == 400
    assert f'id="{why}-error"' in refused.content.decode()
    data = answers(general_survey, q1="不满意")
    data[why] = ["候诊时间", "收费"]
    assert alice_client.post(url(general_survey), data).status_code == 302
    assert SurveyResponse.objects.get().answers[why[1:]] == ["候诊时间", "收费"]


def test_an_answer_to_a_question_not_asked_is_not_kept(alice_client, general_survey):
    why = f"q{general_survey.questions.get(position=2).pk}"
    data = answers(general_survey, q1="满意")
    data[why] = "收费"
    assert alice_client.post(url(general_survey), data).status_code == 302
    assert why[1:] not in SurveyResponse.objects.get().answers


@pytest.mark.parametrize(
    "position, value, message",
    [
        ("q1", "", "此题必答"),
        ("q1", "还行", "请从选项中选择"),
        ("q3", "6", "请选择 1 到 5 之间的分数"),
        ("q3", "abc", "请选择 1 到 5 之间的分数"),
        ("q4", "11", "请选择 0 到 10 之间的分数"),
        ("q6", "长" * 1001, "最多 1000 个字"),
    ],
)
def test_bad_answers_are_refused_naming_the_question(
    alice_client, general_survey, position, value, message
):
    response = alice_client.post(url(general_survey), answers(general_survey, **{position: value}))
    assert response.status_code == 400
    page = response.content.decode()
    q = general_survey.questions.get(position=int(position[1:]))
    assert f'id="q{q.pk}-error"' in page and message in page
    assert not SurveyResponse.objects.exists()


def test_a_half_answered_matrix_is_refused(alice_client, general_survey):
    matrix = general_survey.questions.get(position=5)
    matrix.required = True
    matrix.save(update_fields=["required"])
    data = answers(general_survey)
    del data[f"q{matrix.pk}_1"]
    assert alice_client.post(url(general_survey), data).status_code == 400
    assert not SurveyResponse.objects.exists()


def test_a_closed_survey_takes_no_answer(alice_client, hospital):
    survey = make_survey(hospital, kind="general", closes_at=timezone.now() - timedelta(hours=1))
    response = alice_client.post(url(survey), answers(survey))
    assert response.status_code == 400 and "该调查未开放或已结束" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_an_after_visit_survey_needs_a_visit(alice_client, survey):
    assert alice_client.get(url(survey)).status_code == 404
    assert alice_client.get(url(survey) + "?visit=abc").status_code == 404


def test_it_refuses_another_accounts_visit(bob_client, bob, alice_visit, survey):
    assert bob_client.get(url(survey, alice_visit)).status_code == 404
    assert bob_client.post(url(survey, alice_visit), answers(survey)).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_a_visit_for_her_mother_is_hers_to_rate(
    alice_client, alice, alice_mother, cardiology, dr_wang, survey
):
    mothers = visit(alice_mother, alice, cardiology, dr_wang)
    assert alice_client.post(url(survey, mothers), answers(survey)).status_code == 302
    assert SurveyResponse.objects.get().patient == alice_mother


def test_a_visit_not_checked_in_cannot_be_rated(
    alice_client, alice, alice_self, survey, cardiology, dr_wang
):
    day = timezone.localdate() + timedelta(days=1)
    session = make_session(survey.institution, cardiology, dr_wang, day)
    booked = book(alice_self, session, Channel.WECHAT, booked_by=alice, now=before_visit(session))
    assert alice_client.get(url(survey, booked)).status_code == 404


def test_it_refuses_another_hospitals_survey(alice_client, other_hospital):
    theirs = make_survey(other_hospital, kind="general")
    assert alice_client.get(f"/h5/renai/surveys/{theirs.pk}/").status_code == 404
    assert alice_client.post(f"/h5/renai/surveys/{theirs.pk}/", answers(theirs)).status_code == 404


def test_an_unpublished_survey_is_not_found(alice_client, hospital):
    draft = make_survey(hospital, kind="general", is_published=False)
    assert alice_client.get(url(draft)).status_code == 404


def test_another_hospitals_user_cannot_use_this_hospitals_visit(
    alice_visit, survey, other_hospital
):
    stranger = wechat_session(Client(), other_hospital.wechat_accounts.get(), "o_stranger")
    path = f"/h5/xinhua/surveys/{survey.pk}/?visit={alice_visit.pk}"
    assert stranger.get(path).status_code == 404


def test_a_page_asks_for_sign_in_first(client, account, general_survey):
    response = client.get(url(general_survey))
    assert response.status_code == 302 and "/oauth/start" in response["Location"]


def test_the_action_itself_refuses_another_accounts_visit(bob, alice_visit, survey):
    data = QueryDict(mutable=True)
    data.update(answers(survey))
    with pytest.raises(SurveyError):
        submit_response(survey, bob, data, alice_visit)
    assert not SurveyResponse.objects.exists()
