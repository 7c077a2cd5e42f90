import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from carebridge.institutions.models import Institution

WEEKDAYS = [
    (0, _("星期一")),
    (1, _("星期二")),
    (2, _("星期三")),
    (3, _("星期四")),
    (4, _("星期五")),
    (5, _("星期六")),
    (6, _("星期日")),
]
NTH = [(1, _("第一个")), (2, _("第二个")), (3, _("第三个")), (4, _("第四个")), (-1, _("最后一个"))]


class HealthDayKind(models.TextChoices):
    FIXED = "fixed", _("固定日期")
    NTH_WEEKDAY = "nth_weekday", _("某月第几个星期几")
    SPAN = "span", _("宣传周（起止日期）")


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    """The ``nth`` ``weekday`` (0 = Monday) of the month; nth -1 is the last one."""
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return days[-1] if nth == -1 else days[nth - 1]


class HealthDay(models.Model):
    """A health day (卫生健康宣传日) the institution pushes content for: a fixed date, a rule
    such as "second Thursday of March", or a week with a start and an end."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="health_days", verbose_name=_("机构")
    )
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    kind = models.CharField(_("日期规则"), max_length=12, choices=HealthDayKind.choices)
    month = models.PositiveSmallIntegerField(
        _("月"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("日"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    end_month = models.PositiveSmallIntegerField(
        _("结束月"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    end_day = models.PositiveSmallIntegerField(
        _("结束日"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    nth = models.SmallIntegerField(_("第几个"), null=True, blank=True, choices=NTH)
    weekday = models.PositiveSmallIntegerField(_("星期"), null=True, blank=True, choices=WEEKDAYS)
    topic = models.CharField(_("建议选题"), max_length=120, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("健康日")
        verbose_name_plural = _("健康日")
        ordering = ["month", "day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="publishing_healthday_unique_name"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.dates(2024)  # a leap year: 02-29 is allowed
        except (TypeError, ValueError, IndexError) as exc:
            raise ValidationError(_("日期规则不完整或日期不存在，请检查月、日、星期等")) from exc
        if self.kind == HealthDayKind.SPAN:
            start, end = self.dates(2025)
            if end < start:
                raise ValidationError({"end_day": _("结束日期不能早于开始日期")})

    def dates(self, year: int) -> tuple[date, date]:
        """Its first and last day in ``year`` (the same day but for a week). Feb 29 falls on
        Feb 28 in a common year."""
        if self.kind == HealthDayKind.NTH_WEEKDAY:
            start = nth_weekday(year, self.month, self.nth, self.weekday)
            return start, start
        start = _safe_date(year, self.month, self.day)
        if self.kind == HealthDayKind.SPAN:
            end = _safe_date(year, self.end_month, self.end_day)
            return start, end
        return start, start


def _safe_date(year: int, month: int, day: int) -> date:
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


class InstitutionEvent(models.Model):
    """The institution's own occasion: an anniversary, a free clinic, a lecture."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="calendar_events",
        verbose_name=_("机构"),
    )
    title = models.CharField(_("名称"), max_length=100)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    date = models.DateField(_("日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    topic = models.CharField(_("建议选题"), max_length=120, blank=True)
    every_year = models.BooleanField(_("每年重复"), default=False, help_text=_("如院庆"))

    class Meta:
        verbose_name = _("院内活动")
        verbose_name_plural = _("院内活动")
        ordering = ["date", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.end_date and self.date and self.end_date < self.date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期")})

    def dates(self, year: int) -> tuple[date, date] | None:
        """Its days in ``year``, or None when it does not happen that year."""
        end = self.end_date or self.date
        if not self.every_year:
            return (self.date, end) if self.date.year <= year <= end.year else None
        start = _safe_date(year, self.date.month, self.date.day)
        return start, start + (end - self.date)


class CalendarSettings(models.Model):
    """An institution's calendar preferences: how far ahead a topic is due, and the staff who
    receive mass-send previews."""

    institution = models.OneToOneField(
        Institution,
        on_delete=models.CASCADE,
        related_name="calendar_settings",
        verbose_name=_("机构"),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("提前天数"),
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("选题的截稿日期比节日提前多少天"),
    )
    preview_openids = models.JSONField(
        _("预览人 OpenID"), default=list, blank=True, help_text=_("群发前先预览给这些工作人员")
    )
    mass_protection = models.BooleanField(
        _("已开启群发保护"),
        default=False,
        help_text=_("公众平台“安全中心—风险操作保护”中开启后，群发须管理员在30分钟内确认"),
    )

    class Meta:
        verbose_name = _("日历设置")
        verbose_name_plural = _("日历设置")

    def __str__(self):
        return str(self.institution)

    @property
    def lead_time(self) -> timedelta:
        return timedelta(days=self.lead_days)
