"""The demo's surveys: an after-visit survey with a season of answers over the doctors, a poll,
advice articles per constitution and the demo user's constitution results; loading again
creates nothing."""

import pytest

from carebridge.engagement.models import ConstitutionResult, Poll, Survey, SurveyPolicy
from carebridge.engagement.survey_results import summarise
from carebridge.institutions.demo.load import load_demo

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def test_the_demo_has_surveys_a_poll_and_constitution_results(settings):
    settings.SITE_URL = SITE
    demo = load_demo(SITE)
    survey = Survey.objects.get(institution=demo.institution)
    results = summarise(survey)
    assert results.responses > 50 and len(results.by_doctor) > 5
    assert any(q.keywords for q in results.questions)
    assert SurveyPolicy.objects.get().tpl_after_visit
    assert Poll.objects.get().options.count() == 4
    assert ConstitutionResult.objects.count() == 2
    again = load_demo(SITE)
    assert not [c for c in again.created if "survey" in c or "poll" in c or "constitution" in c]
    assert Survey.objects.count() == 1 and ConstitutionResult.objects.count() == 2
