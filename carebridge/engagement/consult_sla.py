"""The reply SLA's clock: working time only, on working days as the State Council announces
them (chinese-calendar: holidays off, make-up Saturdays and Sundays on), between the
institution's start and end of day.

A year chinese-calendar does not know yet counts Monday to Friday, as booking's schedules do."""

import logging
from datetime import date, datetime, timedelta

import chinese_calendar
from django.utils import timezone

log = logging.getLogger("carebridge.engagement")


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        log.warning("chinese-calendar has no data for %s: Monday to Friday assumed", day.year)
        return day.weekday() < 5


def _bounds(day: date, policy) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, policy.workday_start), tz)
    end = timezone.make_aware(datetime.combine(day, policy.workday_end), tz)
    return start, end


def add_working_minutes(start: datetime, minutes: int, policy) -> datetime:
    """The moment ``minutes`` of working time after ``start`` (a question asked on a Friday
    evening with 4 hours to answer is due on Monday at noon)."""
    left = timedelta(minutes=minutes)
    day = timezone.localtime(start).date()
    cursor = start
    for _ in range(3660):  # ten years of days: a policy with no working time ends the search
        if is_working_day(day):
            opens, closes = _bounds(day, policy)
            cursor = max(cursor, opens)
            if cursor < closes:
                if cursor + left <= closes:
                    return cursor + left
                left -= closes - cursor
        day += timedelta(days=1)
    raise ValueError("the policy has no working time")


def working_minutes_between(start: datetime, end: datetime, policy) -> int:
    """Working minutes from ``start`` to ``end`` (0 if ``end`` is not later)."""
    total = timedelta()
    day = timezone.localtime(start).date()
    while day <= timezone.localtime(end).date():
        if is_working_day(day):
            opens, closes = _bounds(day, policy)
            lo, hi = max(start, opens), min(end, closes)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)
