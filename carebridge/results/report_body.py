"""A report's content on the patient's page (``_report_body.html``: its items with their flags,
ranges and trends), rendered once and kept in Django's cache (issue 13). Reading each item's
earlier values and drawing 15 items with their trends was three quarters of the page's time.

The caller has already found the report among the signed-in account's visible reports: the
cache only ever saves work, it never decides who may see what. The key holds everything the
content is drawn from, so a change makes a new key rather than needing to find and delete the
old one (which lapses after ``LIFETIME``):

- the report and its current version (a version's items and text never change: an amendment
  is a new version);
- the patient's sex and birth date (the ranges and computed flags depend on them);
- the language and time zone the page is read in;
- the stamp of the patient's visible reports (``ReportQuerySet.history_stamp``), which the
  trends are drawn from: a new, amended, withdrawn or released report changes it;
- the templates' text, so a deployment that changes them is not served the old drawing."""

import hashlib
from functools import cache

from django.core.cache import cache as django_cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from .models import Report
from .presenting import items_of, sections_of

TEMPLATE = "results/_report_body.html"
LIFETIME = 24 * 3600  # seconds; a key nobody asks for any more goes after a day


def report_body(report: Report, now) -> SafeString:
    """The rendered content of ``report`` (with ``current`` and ``patient`` loaded) at ``now``."""
    key = _key(report, now)
    html = django_cache.get(key)
    if html is None:
        html = render_to_string(TEMPLATE, body_context(report, now))
        django_cache.set(key, html, LIFETIME)
    return mark_safe(html)  # noqa: S308 — our own template's output, escaped when rendered


def body_context(report: Report, now, trends: bool = True) -> dict:
    """What ``_report_body.html`` reads (the shared link's page draws it without trends)."""
    items = items_of(report, now, trends=trends)
    sections, loose = sections_of(report, items)
    return {
        "report": report,
        "version": report.current,
        "items": loose,
        "sections": sections,
        "abnormal": [i for i in items if i.abnormal],
    }


def _key(report: Report, now) -> str:
    patient = report.patient
    stamp = Report.objects.filter(patient_id=report.patient_id).history_stamp(now)
    parts = (
        _templates_digest(),
        report.pk,
        report.current_id,
        patient.pk,
        patient.sex,
        patient.birth_date,
        get_language(),
        get_current_timezone_name(),
        stamp,
    )
    return "results:body:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@cache
def _templates_digest() -> str:
    """The body's template and the item's it includes, as this process loaded them."""
    sources = (get_template(name).template.source for name in (TEMPLATE, "results/_item.html"))
    return hashlib.sha256("".join(sources).encode()).hexdigest()[:16]
