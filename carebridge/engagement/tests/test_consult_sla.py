"""The reply SLA counts working time only: working days as announced (chinese-calendar),
between the policy's start and end of day."""

from datetime import datetime

import pytest
from django.utils import timezone

from carebridge.engagement.consult_sla import add_working_minutes, working_minutes_between
from carebridge.engagement.models import ConsultPolicy

POLICY = ConsultPolicy()  # 8:00–17:00, 240 working minutes


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_four_working_hours_inside_one_day():
    assert add_working_minutes(at(2026, 11, 18, 9, 0), 240, POLICY) == at(2026, 11, 18, 13, 0)


def test_a_friday_evening_question_is_due_on_monday():
    # 2026-11-20 is a Friday: one hour that day, three on Monday.
    assert add_working_minutes(at(2026, 11, 20, 16, 0), 240, POLICY) == at(2026, 11, 23, 11, 0)
    assert add_working_minutes(at(2026, 11, 21, 3, 0), 240, POLICY) == at(2026, 11, 23, 12, 0)


def test_a_make_up_saturday_is_a_working_day():
    # Saturday 2026-10-10 is worked in exchange for the National Day holiday.
    assert add_working_minutes(at(2026, 10, 9, 16, 0), 240, POLICY) == at(2026, 10, 10, 11, 0)


def test_the_national_day_holiday_does_not_count():
    assert add_working_minutes(at(2026, 9, 30, 16, 0), 240, POLICY) == at(2026, 10, 8, 11, 0)


def test_a_year_the_calendar_does_not_know_counts_weekdays():
    # 2027-01-01 is a Friday; chinese-calendar 1.x knows up to 2026.
    assert add_working_minutes(at(2027, 1, 1, 16, 0), 120, POLICY) == at(2027, 1, 4, 9, 0)


def test_working_minutes_between_skips_nights_and_weekends():
    assert working_minutes_between(at(2026, 11, 20, 16, 0), at(2026, 11, 23, 11, 0), POLICY) == 240
    assert working_minutes_between(at(2026, 11, 23, 11, 0), at(2026, 11, 20, 16, 0), POLICY) == 0


def test_a_policy_without_working_time_is_refused():
    from datetime import time

    with pytest.raises(ValueError):
        add_working_minutes(
            at(2026, 11, 20, 9, 0), 10, ConsultPolicy(workday_start=time(9), workday_end=time(9))
        )
