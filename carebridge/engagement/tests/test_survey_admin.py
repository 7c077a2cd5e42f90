"""Staff's mistakes in a questionnaire are refused with the field named."""

import pytest
from django.core.exceptions import ValidationError

from carebridge.engagement.models import Question, QuestionKind

from .helpers import make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(hospital):
    return make_survey(hospital).questions.get(position=1)  # single: 满意 / 一般 / 不满意


def check(question) -> set[str]:
    try:
        question.full_clean()
    except ValidationError as exc:
        return set(exc.message_dict)
    return set()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": QuestionKind.SINGLE, "choices": "只有一个"}, "choices"),
        ({"kind": QuestionKind.MATRIX, "choices": "好\n差", "rows": ""}, "rows"),
        ({"kind": QuestionKind.TEXT, "show_if_values": "还行"}, "show_if_values"),
        ({"kind": QuestionKind.TEXT, "show_if_values": ""}, "show_if_values"),
    ],
)
def test_a_bad_question_is_refused_naming_the_field(first, fields, field):
    question = Question(survey=first.survey, position=9, text="追问", show_if=first, **fields)
    assert field in check(question)


def test_a_condition_must_be_an_earlier_single_choice(first):
    rating = first.survey.questions.get(position=3)
    on_rating = Question(survey=first.survey, position=9, kind=QuestionKind.TEXT, text="为什么",
                         show_if=rating, show_if_values="1")  # fmt: skip
    assert check(on_rating) == {"show_if"}
    before = Question(survey=first.survey, position=0, kind=QuestionKind.TEXT, text="为什么",
                      show_if=first, show_if_values="不满意")  # fmt: skip
    assert check(before) == {"show_if"}
    good = Question(survey=first.survey, position=9, kind=QuestionKind.TEXT, text="为什么",
                    show_if=first, show_if_values="不满意,一般")  # fmt: skip
    assert check(good) == set()


def test_another_surveys_question_is_no_condition(first, hospital):
    other = make_survey(hospital)
    question = Question(survey=other, position=9, kind=QuestionKind.TEXT, text="为什么",
                        show_if=first, show_if_values="不满意")  # fmt: skip
    assert check(question) == {"show_if"}
