"""One way to write a date per language (carebridge/formats/), whatever the page."""

from datetime import date, datetime

import pytest
from django.utils import formats, timezone, translation

from .dates import en_date, en_month_day, zh_date, zh_month_day

FRIDAY = date(2026, 12, 4)
MOMENT = timezone.make_aware(datetime(2026, 12, 4, 7, 5))


@pytest.mark.parametrize(
    "name, zh, en",
    [
        ("DATE_FORMAT", "2026年12月4日 星期五", "Fri 4 Dec 2026"),
        ("SHORT_DATE_FORMAT", "2026年12月4日", "4 Dec 2026"),
        ("MONTH_DAY_FORMAT", "12月4日 星期五", "Fri 4 Dec"),
        ("TIME_FORMAT", "07:05", "07:05"),
        ("DATETIME_FORMAT", "2026年12月4日 07:05", "4 Dec 2026 07:05"),
        ("SHORT_DATETIME_FORMAT", "12月4日 07:05", "4 Dec 07:05"),
    ],
)
def test_each_named_format_reads_one_way_per_language(name, zh, en):
    value = MOMENT if "TIME" in name else FRIDAY
    with translation.override("zh-hans"):
        assert formats.date_format(value, name) == zh
    with translation.override("en"):
        assert formats.date_format(value, name) == en


def test_the_test_spellings_agree_with_the_formats():
    for day in (FRIDAY, date(2027, 1, 31), date(2028, 2, 29)):
        with translation.override("zh-hans"):
            assert formats.date_format(day) == zh_date(day)
            assert formats.date_format(day, "MONTH_DAY_FORMAT") == zh_month_day(day)
        with translation.override("en"):
            assert formats.date_format(day) == en_date(day)
            assert formats.date_format(day, "MONTH_DAY_FORMAT") == en_month_day(day)


def test_forms_take_iso_dates_first_in_both_languages():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
