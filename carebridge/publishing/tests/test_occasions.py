"""The calendar's dates against known years: solar terms and lunar festivals (lunar-python),
statutory holidays and make-up days (chinese-calendar, checked against the State Council's
notice for 2025, 国办发明电〔2024〕12号), health days by date, rule and week."""

from datetime import date

import pytest

from carebridge.publishing.models import HealthDay, HealthDayKind, InstitutionEvent
from carebridge.publishing.occasions import (
    Kind,
    find_occasion,
    holiday_occasions,
    holidays_covered,
    lunar_occasions,
    occasions_in_month,
)


def dated(occasions, kind):
    return {o.key.split(":", 1)[1]: (o.start, o.end) for o in occasions if o.kind == kind}


def terms(year, month):
    return {k: v[0] for k, v in dated(lunar_occasions(year, month), Kind.TERM).items()}


@pytest.mark.parametrize(
    "year, month, term, day",
    [
        (2025, 1, "小寒", date(2025, 1, 5)),
        (2025, 2, "立春", date(2025, 2, 3)),
        (2025, 4, "清明", date(2025, 4, 4)),
        (2025, 6, "夏至", date(2025, 6, 21)),
        (2025, 12, "冬至", date(2025, 12, 21)),
        (2026, 2, "立春", date(2026, 2, 4)),
        (2026, 4, "清明", date(2026, 4, 5)),
        (2026, 7, "大暑", date(2026, 7, 23)),
        (2026, 12, "冬至", date(2026, 12, 22)),
    ],
)
def test_solar_terms_of_known_years(year, month, term, day):
    assert terms(year, month)[term] == day


def test_every_year_has_24_solar_terms_two_a_month():
    for year in (2025, 2026):
        counts = [len(terms(year, month)) for month in range(1, 13)]
        assert counts == [2] * 12


def test_lunar_festivals_of_2025_and_2026():
    festivals = {}
    for year in (2025, 2026):
        for month in range(1, 13):
            for key, (start, _end) in dated(lunar_occasions(year, month), Kind.FESTIVAL).items():
                festivals[(key, year)] = start
    assert festivals[("春节", 2025)] == date(2025, 1, 29)
    assert festivals[("端午节", 2025)] == date(2025, 5, 31)
    assert festivals[("中秋节", 2025)] == date(2025, 10, 6)
    assert festivals[("春节", 2026)] == date(2026, 2, 17)
    assert festivals[("除夕", 2026)] == date(2026, 2, 16)


def test_the_2025_spring_festival_holiday_and_its_make_up_days():
    jan = holiday_occasions(2025, 1)
    spring = next(o for o in jan if o.key == "holiday:Spring Festival")
    assert (spring.start, spring.end) == (date(2025, 1, 28), date(2025, 2, 4))
    assert [o.start for o in jan if o.kind == Kind.WORKDAY] == [date(2025, 1, 26)]
    feb = holiday_occasions(2025, 2)
    # The run that began in January is the same occasion, with its real first day.
    assert [(o.key, o.start) for o in feb if o.kind == Kind.HOLIDAY] == [
        ("holiday:Spring Festival", date(2025, 1, 28))
    ]
    assert [o.start for o in feb if o.kind == Kind.WORKDAY] == [date(2025, 2, 8)]


def test_2025_national_day_and_mid_autumn_are_one_eight_day_break():
    october = holiday_occasions(2025, 10)
    (autumn,) = [o for o in october if o.kind == Kind.HOLIDAY]
    assert (autumn.start, autumn.end) == (date(2025, 10, 1), date(2025, 10, 8))
    assert autumn.name == "国庆节、中秋节"
    assert [o.start for o in october if o.kind == Kind.WORKDAY] == [date(2025, 10, 11)]
    assert [o.start for o in holiday_occasions(2025, 9) if o.kind == Kind.WORKDAY] == [
        date(2025, 9, 28)
    ]


def test_2026_spring_festival_holiday():
    (spring,) = [o for o in holiday_occasions(2026, 2) if o.kind == Kind.HOLIDAY]
    assert (spring.start, spring.end) == (date(2026, 2, 15), date(2026, 2, 23))


def test_a_year_the_library_does_not_cover_has_no_holidays_and_says_so():
    assert holidays_covered(2026)
    assert not holidays_covered(2099)
    assert holiday_occasions(2099, 1) == []


def test_december_does_not_borrow_a_january_it_cannot_know():
    # 2026's December is covered but January 2027 is not (chinese-calendar 1.11.0): December
    # still shows what it knows.
    if holidays_covered(2027):
        pytest.skip("the installed chinese-calendar covers 2027")
    assert holidays_covered(2026)
    assert holiday_occasions(2026, 12) == []  # no holiday in December 2026 itself


@pytest.mark.django_db
def test_the_default_health_days_fall_on_their_dates(hospital):
    health = dated(occasions_in_month(hospital, 2025, 3), Kind.HEALTH)
    names = {HealthDay.objects.get(pk=k).name: v for k, v in health.items()}
    assert names["世界肾脏日"] == (date(2025, 3, 13), date(2025, 3, 13))  # second Thursday
    assert names["全国爱耳日"] == (date(2025, 3, 3), date(2025, 3, 3))
    april = {
        HealthDay.objects.get(pk=k).name: v
        for k, v in dated(occasions_in_month(hospital, 2026, 4), Kind.HEALTH).items()
    }
    assert april["世界卫生日"] == (date(2026, 4, 7), date(2026, 4, 7))
    assert april["全国肿瘤防治宣传周"] == (date(2026, 4, 15), date(2026, 4, 21))
    assert HealthDay.objects.get(institution=hospital, name="世界肾脏日").dates(2026)[0] == date(
        2026, 3, 12
    )


@pytest.mark.django_db
def test_health_days_are_per_institution_and_editable(hospital):
    eye = HealthDay.objects.get(institution=hospital, name="全国爱眼日")
    eye.day = 5
    eye.save(update_fields=["day"])
    june = occasions_in_month(hospital, 2026, 6)
    assert any(o.name == "全国爱眼日" and o.start == date(2026, 6, 5) for o in june)


@pytest.mark.django_db
def test_a_rule_for_the_last_weekday_of_the_month(hospital):
    day = HealthDay.objects.create(
        institution=hospital,
        name="测试日",
        kind=HealthDayKind.NTH_WEEKDAY,
        month=1,
        nth=-1,
        weekday=6,
    )
    assert day.dates(2026) == (date(2026, 1, 25), date(2026, 1, 25))


@pytest.mark.django_db
def test_an_institution_event_every_year_and_once(hospital):
    InstitutionEvent.objects.create(
        institution=hospital, title="院庆", date=date(1950, 9, 16), every_year=True
    )
    InstitutionEvent.objects.create(institution=hospital, title="义诊", date=date(2026, 9, 20))
    september = [o.name for o in occasions_in_month(hospital, 2026, 9) if o.kind == Kind.EVENT]
    assert sorted(september) == ["义诊", "院庆"]
    assert [o.name for o in occasions_in_month(hospital, 2027, 9) if o.kind == Kind.EVENT] == [
        "院庆"
    ]


@pytest.mark.django_db
def test_find_occasion_by_key_and_year(hospital):
    found = find_occasion(hospital, "term:清明", 2025)
    assert found.start == date(2025, 4, 4)
    assert find_occasion(hospital, "term:nonsense", 2025) is None
