"""The month the calendar page shows: weeks of days, each day's occasions with their
suggestion, last year's articles and the plan made for them."""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from .models import PushPlan
from .occasions import Occasion, holidays_covered, occasions_in_month
from .suggestions import last_year, lead_time, suggested_due_date, suggested_topic


@dataclass
class Entry:
    occasion: Occasion
    topic: str
    due_date: date
    last_year: list
    plan: PushPlan | None
    anchor: str = ""  # the page's id for it
    past: bool = False  # begun already: too late to plan for


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]
    entries: list[Entry]
    holidays_known: bool

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> str:
        return f"{self.year - 1}-12" if self.month == 1 else f"{self.year}-{self.month - 1:02d}"

    @property
    def next(self) -> str:
        return f"{self.year + 1}-01" if self.month == 12 else f"{self.year}-{self.month + 1:02d}"


def build_month(institution, year: int, month: int, today: date | None = None) -> Month:
    """The month's grid (weeks from Monday) with its occasions. A few queries whatever the
    number of occasions: health days, events, plans, last year's articles."""
    today = today or timezone.localdate()
    occasions = occasions_in_month(institution, year, month)
    lead = lead_time(institution)
    before = last_year(institution, occasions)
    plans = {
        (p.occasion_key, p.occasion_date): p
        for p in PushPlan.objects.filter(
            institution=institution,
            occasion_key__in={o.key for o in occasions},
            occasion_date__in={o.start for o in occasions},
        ).select_related("department", "article")
    }
    entries = [
        Entry(
            occasion=o,
            topic=suggested_topic(o),
            due_date=suggested_due_date(o, lead, today),
            last_year=before.get(o.key, []),
            plan=plans.get((o.key, o.start)),
            anchor=f"occasion-{n}",
            past=o.start < today,
        )
        for n, o in enumerate(occasions, 1)
    ]
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        days = []
        for day in week:
            # An occasion shows on its first day, or on the 1st when it began last month.
            shown = [
                e
                for e in entries
                if day.month == month
                and (e.occasion.start == day or (day.day == 1 and e.occasion.start < day))
            ]
            days.append(Day(day, day.month == month, day == today, shown))
        weeks.append(days)
    return Month(year, month, weeks, entries, holidays_covered(year))
