"""An item's values across the patient's reports, drawn as a small inline SVG on the server (no
script, no chart library, nothing from a CDN). The picture is decoration for sighted readers:
the page gives the same values as text and as a table for screen readers."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from .flags import Range

WIDTH, HEIGHT, PAD = 300, 90, 10
LINE = "#576b95"  # WeUI's link blue: 5.6:1 on white
BAND = "#e3f4ea"  # the normal range, a pale green band


@dataclass(frozen=True)
class Point:
    moment: datetime
    value: Decimal

    @property
    def display(self) -> str:
        return format(self.value.normalize(), "f")


@dataclass(frozen=True)
class Trend:
    points: tuple[Point, ...]
    low: Decimal | None = None
    high: Decimal | None = None

    @classmethod
    def of(cls, series, normal: Range | None) -> "Trend":
        points = tuple(Point(moment, value) for moment, value in series)
        if normal is None:
            return cls(points)
        return cls(points, normal.low, normal.high)

    @property
    def text(self) -> str:
        """The values in order, for reading: "5.2 → 6.1 → 11.2"."""
        return " → ".join(p.display for p in self.points)

    def rows(self, unit: str) -> SafeString:
        """The screen readers' table rows, a date and a value each: written here rather than in
        the template, whose loop cost a report of 15 items 120 rows of lookups and filters."""
        return format_html_join(
            "",
            "<tr><td>{}</td><td>{} {}</td></tr>",
            (
                (date_format(localtime(p.moment), "SHORT_DATE_FORMAT"), p.display, unit)
                for p in self.points
            ),
        )

    def svg(self) -> SafeString:
        values = [p.value for p in self.points]
        bounds = [b for b in (self.low, self.high) if b is not None]
        top, bottom = max(values + bounds), min(values + bounds)
        span = (top - bottom) or Decimal(1)

        def y(value: Decimal) -> float:
            return round(PAD + float((top - value) / span) * (HEIGHT - 2 * PAD), 1)

        step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
        xy = [(round(PAD + i * step, 1), y(v)) for i, v in enumerate(values)]
        band = ""
        if bounds:
            band_top = y(self.high) if self.high is not None else 0
            band_bottom = y(self.low) if self.low is not None else HEIGHT
            band = format_html(
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>',
                band_top,
                WIDTH,
                max(band_bottom - band_top, 1),
                BAND,
            )
        dots = format_html_join(
            "", '<circle cx="{}" cy="{}" r="4" fill="{}"/>', ((x, y_, LINE) for x, y_ in xy)
        )
        line = " ".join(f"{x},{y_}" for x, y_ in xy)
        return format_html(
            '<svg class="h5-trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            'aria-hidden="true" focusable="false">{band}'
            '<polyline points="{line}" fill="none" stroke="{c}" stroke-width="2"/>{dots}</svg>',
            w=WIDTH,
            h=HEIGHT,
            band=band,
            line=line,
            c=LINE,
            dots=dots,
        )
