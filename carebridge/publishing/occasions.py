"""What happens on which day: solar terms and lunar festivals (lunar-python), statutory holidays
and make-up working days (chinese-calendar), the institution's health days and events.

Dates are China's dates (Asia/Shanghai); nothing here depends on the server's zone.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from lunar_python import Solar

from .models import HealthDay, InstitutionEvent


class Kind:
    TERM = "term"
    FESTIVAL = "festival"
    HOLIDAY = "holiday"
    WORKDAY = "workday"
    HEALTH = "health"
    EVENT = "event"


KIND_LABELS = {
    Kind.TERM: _("节气"),
    Kind.FESTIVAL: _("传统节日"),
    Kind.HOLIDAY: _("法定节假日"),
    Kind.WORKDAY: _("调休上班"),
    Kind.HEALTH: _("健康日"),
    Kind.EVENT: _("院内活动"),
}

# lunar-python names the lunar festivals in Chinese; these are the ones worth a push.
FESTIVALS = {
    "春节": _("春节"),
    "元宵节": _("元宵节"),
    "龙头节": _("龙抬头"),
    "端午节": _("端午节"),
    "七夕节": _("七夕节"),
    "中元节": _("中元节"),
    "中秋节": _("中秋节"),
    "重阳节": _("重阳节"),
    "腊八节": _("腊八节"),
    "小年": _("小年"),
    "除夕": _("除夕"),
}
# The 24 solar terms, named for translation (lunar-python gives the Chinese names).
TERMS = {
    "立春": _("立春"), "雨水": _("雨水"), "惊蛰": _("惊蛰"), "春分": _("春分"),
    "清明": _("清明"), "谷雨": _("谷雨"), "立夏": _("立夏"), "小满": _("小满"),
    "芒种": _("芒种"), "夏至": _("夏至"), "小暑": _("小暑"), "大暑": _("大暑"),
    "立秋": _("立秋"), "处暑": _("处暑"), "白露": _("白露"), "秋分": _("秋分"),
    "寒露": _("寒露"), "霜降": _("霜降"), "立冬": _("立冬"), "小雪": _("小雪"),
    "大雪": _("大雪"), "冬至": _("冬至"), "小寒": _("小寒"), "大寒": _("大寒"),
}  # fmt: skip
# chinese-calendar's holiday names (English) → the Chinese words articles about them use.
HOLIDAY_WORDS = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午",
    "Mid-autumn Festival": "中秋",
    "National Day": "国庆",
}
# … and → our labels.
HOLIDAYS = {
    "New Year's Day": _("元旦"),
    "Spring Festival": _("春节"),
    "Tomb-sweeping Day": _("清明节"),
    "Labour Day": _("劳动节"),
    "Dragon Boat Festival": _("端午节"),
    "Mid-autumn Festival": _("中秋节"),
    "National Day": _("国庆节"),
}


@dataclass
class Occasion:
    """One occasion on the calendar. ``key`` names it across years (``term:清明``,
    ``health:12``), so last year's push for the same occasion can be found."""

    kind: str
    key: str
    name: str  # the label shown (translatable)
    start: date
    end: date
    topic: str = ""
    words: list[str] = field(default_factory=list)  # what an article about it is titled with

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def pushable(self) -> bool:
        """Make-up working days are shown, not pushed for."""
        return self.kind != Kind.WORKDAY


def _localised(chinese: str, english: str) -> str:
    """A name staff typed in both languages, in the page's language."""
    return english if english and (get_language() or "").startswith("en") else chinese


def holidays_covered(year: int) -> bool:
    """Does the installed chinese-calendar know ``year``'s holidays? The State Council
    announces them each November, so a release covers at most the coming year."""
    try:
        chinese_calendar.is_holiday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


@lru_cache(maxsize=64)
def _lunar_days(year: int, month: int) -> tuple:
    """(day, solar term or "", festival names) for the month's days that have any. Pure and
    slowish (lunar-python converts each day), so cached."""
    rows = []
    for day in month_days(year, month):
        lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
        term, festivals = lunar.getJieQi(), tuple(lunar.getFestivals())
        if term or festivals:
            rows.append((day, term, festivals))
    return tuple(rows)


def lunar_occasions(year: int, month: int) -> list[Occasion]:
    found = []
    for day, term, festivals in _lunar_days(year, month):
        if term in TERMS:
            found.append(Occasion(Kind.TERM, f"term:{term}", TERMS[term], day, day, words=[term]))
        for name in festivals:
            if name in FESTIVALS:
                words = [name.removesuffix("节")] if name.endswith("节") else [name]
                found.append(
                    Occasion(
                        Kind.FESTIVAL, f"festival:{name}", FESTIVALS[name], day, day, words=words
                    )
                )
    return found


def holiday_occasions(year: int, month: int) -> list[Occasion]:
    """Each run of consecutive statutory holidays as one occasion (国庆 and 中秋 together when
    they meet; a run that crosses the month's edge keeps its real first and last day), and each
    make-up working day (调休上班)."""
    first, last = date(year, month, 1), month_days(year, month)[-1]
    days = [first + timedelta(days=n) for n in range(-15, (last - first).days + 16)]
    if not all(holidays_covered(y) for y in {first.year, last.year}):
        return []
    found: list[Occasion] = []
    run: Occasion | None = None
    for day in days:
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # the margin reaches into a year not covered
            is_holiday, name = False, None
        if is_holiday and name:
            label, word = str(HOLIDAYS.get(name, name)), HOLIDAY_WORDS.get(name, name)
            if run and (day - run.end).days == 1:
                run.end = day
                if word not in run.words:  # 国庆 and 中秋 in one break
                    run.words.append(word)
                    run.name = f"{run.name}{_('、')}{label}"
                continue
            run = Occasion(Kind.HOLIDAY, f"holiday:{name}", label, day, day, words=[word])
            found.append(run)
        elif not is_holiday and name and day.weekday() >= 5 and first <= day <= last:
            # A weekend day that is a working day: a make-up day for holiday ``name``.
            label = str(HOLIDAYS.get(name, name))
            found.append(Occasion(Kind.WORKDAY, f"workday:{name}", label, day, day))
    return [o for o in found if o.start <= last and o.end >= first]


def health_occasions(institution, year: int, month: int) -> list[Occasion]:
    found = []
    first, last = date(year, month, 1), month_days(year, month)[-1]
    for health_day in HealthDay.objects.filter(institution=institution, is_active=True):
        start, end = health_day.dates(year)
        if start <= last and end >= first:
            found.append(
                Occasion(
                    Kind.HEALTH,
                    f"health:{health_day.pk}",
                    _localised(health_day.name, health_day.name_en),
                    start,
                    end,
                    topic=health_day.topic,
                    words=[health_day.name],
                )
            )
    return found


def event_occasions(institution, year: int, month: int) -> list[Occasion]:
    found = []
    first, last = date(year, month, 1), month_days(year, month)[-1]
    for event in InstitutionEvent.objects.filter(institution=institution):
        dates = event.dates(year)
        if dates and dates[0] <= last and dates[1] >= first:
            found.append(
                Occasion(
                    Kind.EVENT,
                    f"event:{event.pk}",
                    _localised(event.title, event.title_en),
                    *dates,
                    topic=event.topic,
                    words=[event.title],
                )
            )
    return found


def occasions_in_month(institution, year: int, month: int) -> list[Occasion]:
    """Every occasion that touches the month, by start date."""
    found = (
        lunar_occasions(year, month)
        + holiday_occasions(year, month)
        + health_occasions(institution, year, month)
        + event_occasions(institution, year, month)
    )
    return sorted(found, key=lambda o: (o.start, o.kind))


def find_occasion(institution, key: str, year: int) -> Occasion | None:
    """The occasion ``key`` in ``year``, or None."""
    kind, _sep, ident = key.partition(":")
    if kind in (Kind.HEALTH, Kind.EVENT):
        if not ident.isdigit():
            return None
        model = HealthDay if kind == Kind.HEALTH else InstitutionEvent
        row = model.objects.filter(institution=institution, pk=ident).first()
        months = sorted({row.dates(year)[0].month}) if row and row.dates(year) else []
    else:
        months = range(1, 13)
    for month in months:
        for occasion in occasions_in_month(institution, year, month):
            if occasion.key == key and occasion.start.year == year:
                return occasion
    return None
