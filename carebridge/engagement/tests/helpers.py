"""Test helpers of the surveys (also used by the project's accessibility walk)."""

from datetime import timedelta

from django.utils import timezone

from carebridge.booking.actions import check_in
from carebridge.booking.models import Channel
from carebridge.booking.tests.helpers import at, before_visit, book, make_session
from carebridge.engagement.models import Question, QuestionKind, Survey, SurveyKind


def last_morning():
    """The latest 08:30 (Beijing) already past: this morning's, or yesterday's before 08:30. A
    visit then was checked in less than a day ago whatever the hour the tests run."""
    today = timezone.localdate()
    return today if timezone.now() >= at(today, 8, 30) else today - timedelta(days=1)


def visit(patient, follower, department, doctor, day=None):
    """A WeChat booking of ``patient`` on ``day`` (the last morning), checked in at 08:30."""
    day = day or last_morning()
    session = make_session(department.institution, department, doctor, day)
    appointment = book(
        patient, session, Channel.WECHAT, booked_by=follower, now=before_visit(session)
    )
    check_in(appointment, now=at(day, 8, 30))
    appointment.refresh_from_db()
    return appointment


def make_survey(institution, kind=SurveyKind.AFTER_VISIT, **fields) -> Survey:
    fields.setdefault("opens_at", timezone.now() - timedelta(days=1))
    fields.setdefault("title", "门诊满意度")
    fields.setdefault("is_published", True)
    survey = Survey.objects.create(institution=institution, kind=kind, **fields)
    q = Question.objects.create
    overall = q(survey=survey, position=1, kind=QuestionKind.SINGLE, text="总体满意吗?",
                choices="满意 | Satisfied\n一般\n不满意 | Dissatisfied")  # fmt: skip
    q(survey=survey, position=2, kind=QuestionKind.MULTIPLE, text="不满意在哪里?",
      choices="候诊时间\n收费\n环境", show_if=overall, show_if_values="不满意,一般")  # fmt: skip
    q(survey=survey, position=3, kind=QuestionKind.RATING, text="医生服务")
    q(survey=survey, position=4, kind=QuestionKind.NPS, text="推荐度", required=False)
    q(survey=survey, position=5, kind=QuestionKind.MATRIX, text="各环节", rows="挂号\n缴费",
      choices="满意\n不满意", required=False)  # fmt: skip
    q(survey=survey, position=6, kind=QuestionKind.TEXT, text="建议", required=False)
    return survey


def answers(survey, **overrides) -> dict:
    """A complete, valid answer sheet for make_survey's questions (by position)."""
    q = {x.position: f"q{x.pk}" for x in survey.questions.all()}
    data = {q[1]: "满意", q[3]: "4", q[4]: "9", f"{q[5]}_0": "满意", f"{q[5]}_1": "不满意",
            q[6]: "医生很耐心,候诊时间长"}  # fmt: skip
    for position, value in overrides.items():
        data[q[int(position.removeprefix("q"))]] = value
    return data
