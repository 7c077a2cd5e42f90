"""Writes of the calendar's own tables."""

from django.db import transaction

from ..defaults import DEFAULT_HEALTH_DAYS
from ..models import HealthDay


def default_health_days(institution, model=HealthDay) -> list:
    """Unsaved rows of the default list for ``institution`` (``model`` is the historical model
    in the data migration)."""
    return [
        model(
            institution_id=institution.pk,
            name=name,
            name_en=name_en,
            kind=kind,
            month=month,
            day=day,
            end_month=end_month,
            end_day=end_day,
            nth=nth,
            weekday=weekday,
            topic=topic,
        )
        for name, name_en, kind, month, day, end_month, end_day, nth, weekday, topic in (
            DEFAULT_HEALTH_DAYS
        )
    ]


@transaction.atomic
def seed_health_days(institution) -> int:
    """Give ``institution`` the default health days it does not have yet (by name); returns
    how many were added. Safe to run again."""
    have = set(HealthDay.objects.filter(institution=institution).values_list("name", flat=True))
    rows = [row for row in default_health_days(institution) if row.name not in have]
    HealthDay.objects.bulk_create(rows)
    return len(rows)
