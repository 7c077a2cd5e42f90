"""One answer per user (and one vote per user) under concurrency, on PostgreSQL (SQLite
serialises writers, so the race cannot happen there): the same form sent from two phones at
once is kept once, and the poll's count matches its votes."""

import threading

import pytest
from django.db import connection
from django.http import QueryDict

from carebridge.engagement.actions import polls, surveys
from carebridge.engagement.models import PollOption, PollVote, SurveyResponse

from .helpers import answers
from .test_polls import make_poll

pytestmark = pytest.mark.django_db(transaction=True)


def race(func, times: int):
    """Run ``func()`` in ``times`` threads released together; the outcomes."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    outcomes = [None] * times
    barrier = threading.Barrier(times)

    def run(n):
        barrier.wait()
        try:
            outcomes[n] = func()
        except (surveys.SurveyError, polls.PollError) as exc:
            outcomes[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def form(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key] = value
    return query


def test_one_answer_per_visit_however_many_at_once(alice, alice_visit, survey):
    data = form(answers(survey))
    outcomes = race(lambda: surveys.submit_response(survey, alice, data, alice_visit), 6)
    kept = [o for o in outcomes if isinstance(o, SurveyResponse)]
    refused = [o for o in outcomes if isinstance(o, surveys.AlreadyAnswered)]
    assert (len(kept), len(refused)) == (1, 5)
    assert SurveyResponse.objects.count() == 1


def test_one_vote_per_user_however_many_at_once(alice, bob, hospital):
    poll = make_poll(hospital)
    option = poll.options.first()
    outcomes = race(lambda: polls.cast_vote(poll, alice, option.pk), 6)
    outcomes += race(lambda: polls.cast_vote(poll, bob, option.pk), 4)
    assert sum(isinstance(o, PollOption) for o in outcomes) == 2
    assert sum(isinstance(o, polls.AlreadyVoted) for o in outcomes) == 8
    option.refresh_from_db()
    assert option.votes == PollVote.objects.count() == 2
