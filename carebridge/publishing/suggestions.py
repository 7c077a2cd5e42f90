"""What the calendar suggests for an occasion: a topic, a due date, and what was published for
the same occasion last year."""

from datetime import date, timedelta

from django.db.models import Q
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from carebridge.content.models import Article

from .models import CalendarSettings, PushPlan
from .occasions import Kind, Occasion

# Lunar festivals move by up to a month between years; an article for last year's occasion
# was published in this window around the same calendar date a year before.
LAST_YEAR_BEFORE, LAST_YEAR_AFTER = timedelta(days=60), timedelta(days=30)


def lead_time(institution) -> timedelta:
    settings = CalendarSettings.objects.filter(institution=institution).first()
    return settings.lead_time if settings else timedelta(days=21)


def suggested_topic(occasion: Occasion) -> str:
    if occasion.topic:
        return occasion.topic
    templates = {
        Kind.TERM: _("%(name)s养生：节气健康提示"),
        Kind.FESTIVAL: _("%(name)s健康提示"),
        Kind.HOLIDAY: _("%(name)s假期门诊安排"),
        Kind.HEALTH: _("%(name)s科普"),
        Kind.EVENT: _("%(name)s活动预告"),
    }
    return templates.get(occasion.kind, "%(name)s") % {"name": occasion.name}


def suggested_due_date(occasion: Occasion, lead: timedelta, today: date) -> date:
    """``lead`` before the occasion, but never in the past."""
    return max(occasion.start - lead, today)


def last_year(institution, occasions: list[Occasion]) -> dict[str, list[Article]]:
    """Occasion key → last year's published articles for it: those a plan for the same
    occasion produced, and those whose title names it. Two queries for the whole month."""
    if not occasions:
        return {}
    first = min(o.start for o in occasions)
    last = max(o.start for o in occasions)
    since = _year_before(first) - LAST_YEAR_BEFORE
    until = _year_before(last) + LAST_YEAR_AFTER
    keys = {o.key for o in occasions}
    planned = dict(
        PushPlan.objects.filter(
            institution=institution,
            occasion_key__in=keys,
            occasion_date__year__in={_year_before(first).year, _year_before(last).year},
            article__isnull=False,
        ).values_list("article_id", "occasion_key")
    )
    words = Q()
    for occasion in occasions:
        for word in occasion.words:
            words |= Q(title__icontains=word)
    articles = Article.objects.filter(institution=institution, is_published=True).filter(
        Q(pk__in=planned) | (words & Q(published_at__date__range=(since, until)))
    )
    found: dict[str, list[Article]] = {key: [] for key in keys}
    for article in articles.order_by("published_at"):
        for occasion in occasions:
            ago = _year_before(occasion.start)
            in_window = (
                ago - LAST_YEAR_BEFORE <= localdate(article.published_at) <= ago + (LAST_YEAR_AFTER)
            )
            named = in_window and any(w and w in article.title for w in occasion.words)
            if planned.get(article.pk) == occasion.key or named:
                found[occasion.key].append(article)
    return found


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
