"""Reference ranges and the flag a value earns against them (FHIR Observation.referenceRange and
interpretation). Pure functions: ``Observation`` applies them to its stored ranges.

A range may hold for one sex (``appliesTo``) and for an age band in completed years, both ends
inclusive as FHIR's ranges are; the most specific range that fits the patient is used (one
for their age band before one for their sex). A value
outside the *critical* range is HH or LL (危急值); outside the normal one, H or L. A text value
(阴性, "negative") is N when it reads as the range's text, A otherwise, and AA when it reads as a
critical range's text."""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .choices import Flag, RangeType


@dataclass(frozen=True)
class Range:
    type: str = RangeType.NORMAL
    low: Decimal | None = None
    high: Decimal | None = None
    text: str = ""
    applies_to: tuple[str, ...] = ()  # sexes; empty: either
    age_low: int | None = None
    age_high: int | None = None

    @classmethod
    def from_stored(cls, stored: dict) -> "Range":
        """A range as ``Observation.reference_ranges`` keeps it (decimals as strings)."""
        return cls(
            type=stored.get("type") or RangeType.NORMAL,
            low=_decimal(stored.get("low")),
            high=_decimal(stored.get("high")),
            text=stored.get("text") or "",
            applies_to=tuple(stored.get("appliesTo") or ()),
            age_low=stored.get("age_low"),
            age_high=stored.get("age_high"),
        )

    def to_stored(self) -> dict:
        return {
            "type": self.type,
            "low": None if self.low is None else str(self.low),
            "high": None if self.high is None else str(self.high),
            "text": self.text,
            "appliesTo": list(self.applies_to),
            "age_low": self.age_low,
            "age_high": self.age_high,
        }

    def fits(self, sex: str | None, age: int | None) -> bool:
        if self.applies_to and sex not in self.applies_to:
            return False
        if self.age_low is not None and (age is None or age < self.age_low):
            return False
        return self.age_high is None or (age is not None and age <= self.age_high)

    @property
    def specificity(self) -> tuple[bool, bool]:
        """An age band is narrower than a sex: a girl's value is read against the children's
        range before the women's."""
        return (self.age_low is not None or self.age_high is not None, bool(self.applies_to))

    def label(self) -> str:
        """How a page shows it: "3.5–9.5", "≥ 1.04", "≤ 5.2", or its text."""
        if self.low is not None and self.high is not None:
            return f"{_plain(self.low)}–{_plain(self.high)}"
        if self.low is not None:
            return f"≥ {_plain(self.low)}"
        if self.high is not None:
            return f"≤ {_plain(self.high)}"
        return self.text


def applicable(ranges: list[Range], kind: str, sex: str | None, age: int | None) -> Range | None:
    """The most specific range of ``kind`` that fits a patient of ``sex`` and ``age``."""
    fitting = [r for r in ranges if r.type == kind and r.fits(sex, age)]
    return max(fitting, key=lambda r: r.specificity, default=None)


def flag_for(value: Decimal | None, text: str, ranges: list[Range], sex, age) -> str:
    """The Flag value earned by ``value`` (or, with none, ``text``), or "" when no range says."""
    normal = applicable(ranges, RangeType.NORMAL, sex, age)
    critical = applicable(ranges, RangeType.CRITICAL, sex, age)
    if value is not None:
        if critical and critical.low is not None and value < critical.low:
            return Flag.CRITICAL_LOW
        if critical and critical.high is not None and value > critical.high:
            return Flag.CRITICAL_HIGH
        if normal is None or (normal.low is None and normal.high is None):
            return ""
        if normal.low is not None and value < normal.low:
            return Flag.LOW
        if normal.high is not None and value > normal.high:
            return Flag.HIGH
        return Flag.NORMAL
    if not text.strip():
        return ""
    if critical and critical.text and same_text(text, critical.text):
        return Flag.CRITICAL_ABNORMAL
    if normal and normal.text:
        return Flag.NORMAL if same_text(text, normal.text) else Flag.ABNORMAL
    return ""


def same_text(a: str, b: str) -> bool:
    """Equal once full-width forms, case and spaces are set aside (阴性 ＝ 阴 性, NEG = neg)."""
    return _folded(a) == _folded(b)


def _folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _decimal(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _plain(value: Decimal) -> str:
    """3.500000 → 3.5, 10.000000 → 10: a stored decimal as people write it."""
    return format(value.normalize(), "f")
