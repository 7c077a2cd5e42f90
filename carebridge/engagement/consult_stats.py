"""Consultation statistics for operations (seed 001 §5: "counts consultations by department and
summarises their content"): per department for a period, how many were asked, answered,
answered within the SLA, the median reply time, auto-answered by an FAQ, urgent and still
waiting, and the questions' keywords. The counts are one aggregate query; the median is taken
in Python over each reply's stored working minutes (``Consultation.reply_minutes``, written at
the first reply: a median is not portable SQL), one integer a reply; the keywords come from a
bounded sample of each department's latest questions (the questions are encrypted at rest, so
they are decrypted here, not counted in the database): four queries whatever the number of
consultations."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO
from statistics import median

from django import forms
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from .models import ConsultStatus
from .survey_results import keywords

SAMPLE = 200  # latest questions per department whose keywords are summarised
MAX_DAYS = 366


def last_month(today: date) -> tuple[date, date]:
    """The calendar month before ``today``'s: its first and last day."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


class PeriodForm(forms.Form):
    """The period, both days included, in the institution's time zone (Asia/Shanghai)."""

    start = forms.DateField(label=gettext_lazy("开始日期"), required=False)
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        default_start, default_end = last_month(timezone.localdate())
        data["start"] = data.get("start") or default_start
        data["end"] = data.get("end") or default_end
        if data["end"] < data["start"]:
            self.add_error("end", _("结束日期须不早于开始日期"))
        elif (data["end"] - data["start"]).days >= MAX_DAYS:
            self.add_error("end", _("统计期间最长 %(n)d 天") % {"n": MAX_DAYS})
        return data


@dataclass
class DepartmentStats:
    department_id: int | None
    name: str
    asked: int = 0
    answered: int = 0
    within_sla: int = 0
    auto: int = 0
    urgent: int = 0
    waiting: int = 0
    median_reply_minutes: int | None = None
    keywords: list[tuple[str, float]] = field(default_factory=list)

    @property
    def within_sla_rate(self) -> float | None:
        return round(self.within_sla * 100 / self.answered, 1) if self.answered else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def department_stats(consultations, start: date, end: date) -> list[DepartmentStats]:
    """``consultations`` already scoped to what the viewer may see (institution, departments);
    rows with the most questions first, the triage queue (no department) named as such."""
    lo, hi = _bounds(start, end)
    period = consultations.order_by().filter(created_at__gte=lo, created_at__lt=hi)
    counts = period.values("department_id", "department__name").annotate(
        asked=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        within_sla=Count("id", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
        # An FAQ answered it, even if the patient then asked for a person (status back to
        # open, the FAQ kept); the status alone still counts one whose FAQ was deleted since.
        auto=Count("id", filter=Q(status=ConsultStatus.AUTO) | Q(faq__isnull=False)),
        urgent=Count("id", filter=Q(urgent=True)),
        waiting=Count("id", filter=Q(status=ConsultStatus.OPEN)),
    )
    rows = {}
    for c in counts:
        name = c.pop("department__name") or _("待分诊")
        rows[c["department_id"]] = DepartmentStats(name=name, **c)
    minutes: dict[int | None, list[int]] = {}
    timed = period.filter(reply_minutes__isnull=False)
    for department_id, value in timed.values_list("department_id", "reply_minutes"):
        minutes.setdefault(department_id, []).append(value)
    for department_id, values in minutes.items():
        if department_id in rows:
            rows[department_id].median_reply_minutes = round(median(values))
    latest = period.annotate(
        rank=Window(RowNumber(), partition_by=F("department_id"), order_by=F("created_at").desc())
    ).filter(rank__lte=SAMPLE)
    texts: dict[int | None, list[str]] = {}
    for department_id, question in latest.values_list("department_id", "question"):
        texts.setdefault(department_id, []).append(question)
    for department_id, questions in texts.items():
        if department_id in rows:
            rows[department_id].keywords = keywords(questions, top=8)
    return sorted(rows.values(), key=lambda r: (-r.asked, r.name))


COLUMNS = (
    (gettext_lazy("科室"), "name"),
    (gettext_lazy("咨询数"), "asked"),
    (gettext_lazy("已回复"), "answered"),
    (gettext_lazy("按时回复"), "within_sla"),
    (gettext_lazy("自动回答"), "auto"),
    (gettext_lazy("紧急"), "urgent"),
    (gettext_lazy("待回复"), "waiting"),
    (gettext_lazy("回复用时中位数(工作分钟)"), "median_reply_minutes"),
)


def stats_workbook(rows: list[DepartmentStats], start: date, end: date) -> bytes:
    """The page's table as a workbook, keywords in the last column; no patient is named."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{start:%Y%m%d}-{end:%Y%m%d}"
    sheet.append([str(label) for label, _attr in COLUMNS] + [_("关键词")])
    for row in rows:
        words = "、".join(word for word, _weight in row.keywords)
        sheet.append([getattr(row, attr) for _label, attr in COLUMNS] + [words])
    for cells in sheet.iter_rows(min_row=2):
        for cell in (cells[0], cells[-1]):  # a name or keyword starting "=" stays text
            cell.data_type = "s"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
