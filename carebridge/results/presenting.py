"""What a report page shows of each item: its flag in words, the range it was read against, and
its trend across the patient's earlier reports. Reads only; the rules themselves are the
models' (``Observation.computed_flag``, ``applicable_range``, ``Report.visible_to_patient``)."""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Flag
from .flags import Range
from .models import Observation, Report
from .trend import Trend

# The plain-language reading of each flag, shown beside its label (colour is never the only
# sign). A critical value reaches the page only once a clinician has acknowledged it.
EXPLANATIONS = {
    Flag.NORMAL: _("在参考范围内。"),
    Flag.HIGH: _("高于参考范围。偏高不一定是疾病，请结合医生意见。"),
    Flag.LOW: _("低于参考范围。偏低不一定是疾病，请结合医生意见。"),
    Flag.ABNORMAL: _("与正常结果不符，请结合医生意见。"),
    Flag.CRITICAL_HIGH: _("危急值：远高于安全界限。医生已确认此结果，请按医嘱尽快处理。"),
    Flag.CRITICAL_LOW: _("危急值：远低于安全界限。医生已确认此结果，请按医嘱尽快处理。"),
    Flag.CRITICAL_ABNORMAL: _("危急值：医生已确认此结果，请按医嘱尽快处理。"),
}
TREND_POINTS = 8


@dataclass
class Item:
    observation: Observation
    flag: str
    normal: Range | None
    trend: Trend | None = None

    @property
    def range_label(self) -> str:
        return self.normal.label() if self.normal else ""

    @property
    def flag_label(self) -> str:
        return Flag(self.flag).label if self.flag else ""

    @property
    def explanation(self) -> str:
        return EXPLANATIONS.get(self.flag, "")

    @property
    def abnormal(self) -> bool:
        return self.flag in Flag.abnormal()

    @property
    def critical(self) -> bool:
        return self.flag in Flag.critical()

    @property
    def trend_rows(self):
        return self.trend.rows(self.observation.unit) if self.trend else ""


@dataclass
class Section:
    title: str
    performer: str
    conclusion: str
    items: list = field(default_factory=list)


def reading_moment(report: Report):
    version = report.current
    return version.effective_at or version.issued_at or report.issued_at


def items_of(report: Report, now, trends: bool = True) -> list[Item]:
    """The current version's items, each read for the patient as they were on the day; with
    ``trends``, each numeric item's values in the patient's earlier reports."""
    patient = report.patient
    age = patient.age_on(timezone.localtime(reading_moment(report)).date())
    items = []
    for obs in report.current.observations.all():
        normal = obs.applicable_range(patient.sex, age)
        flag = obs.flag or obs.computed_flag(patient.sex, age)
        items.append(Item(obs, flag, normal))
    if trends:
        _add_trends(report, items, now)
    return items


def sections_of(report: Report, items: list[Item]) -> tuple[list[Section], list[Item]]:
    """A check-up's items grouped by department; the items of no section apart."""
    sections = {
        s.pk: Section(s.title, s.performer, s.conclusion) for s in report.current.sections.all()
    }
    loose = []
    for item in items:
        section = sections.get(item.observation.section_id)
        (section.items if section else loose).append(item)
    return list(sections.values()), loose


def _add_trends(report: Report, items: list[Item], now) -> None:
    """Each numeric item with a code gets its newest values (same code and unit) in the
    patient's earlier reports that they may see: one query for the whole report, which reads
    at most TREND_POINTS - 1 values per item however long the patient's history."""
    numeric = {i.observation.code: i for i in items if _trendable(i.observation)}
    if not numeric:
        return
    same_item = reduce(
        or_,
        (
            Q(current__observations__code=code, current__observations__unit=i.observation.unit)
            for code, i in numeric.items()
        ),
    )
    # Numbered newest first within each item, so the database keeps only the last few.
    newest = Window(
        RowNumber(),
        partition_by=[F("current__observations__code")],
        order_by=[F("issued_at").desc(), F("id").desc()],
    )
    earlier = (
        Report.objects.visible_to_patient(now)
        .filter(
            same_item,
            patient_id=report.patient_id,
            issued_at__lt=report.issued_at,
            current__observations__value_quantity__isnull=False,
        )
        .annotate(newest=newest)
        .filter(newest__lt=TREND_POINTS)
        .order_by("issued_at", "id")
        .values_list(
            "current__observations__code", "issued_at", "current__observations__value_quantity"
        )
    )
    points: dict[str, list[tuple]] = {code: [] for code in numeric}
    for code, issued_at, value in earlier:
        points[code].append((issued_at, value))
    for code, item in numeric.items():
        if points[code]:
            series = points[code] + [(report.issued_at, item.observation.value_quantity)]
            item.trend = Trend.of(series, item.normal)


def _trendable(obs: Observation) -> bool:
    return bool(obs.code) and obs.value_quantity is not None
