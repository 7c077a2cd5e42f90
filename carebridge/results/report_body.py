"""A report's content on the patient's page (``_report_body.html``: its items with their flags,
ranges and trends), rendered once and kept in the pages cache (lib/page_cache.py; issue 13).
Reading each item's earlier values and drawing 15 items with their trends was three quarters
of the page's time.

The caller has already found the report among the signed-in account's visible reports: the
cache only ever saves work, it never decides who may see what. The key holds everything the
content is drawn from, so a change makes a new key rather than needing to find and delete the
old one (which lapses after ``page_cache.LIFETIME``):

- the report and its current version (a version's items and text never change: an amendment
  is a new version);
- the patient's sex and birth date (the ranges and computed flags depend on them);
- the language and time zone the page is read in;
- the stamp of the patient's visible reports (``ReportQuerySet.history_stamp``), which the
  trends are drawn from: a new, amended, withdrawn or released report changes it;
- the templates' text, so a deployment that changes them is not served the old drawing.

``cached_html`` keeps the list's rows the same way (views/reports.py: the patient, the query
string and the same stamp)."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from carebridge.lib import page_cache

from .models import Report
from .presenting import items_of, sections_of

TEMPLATE = "results/_report_body.html"


def report_body(report: Report, now) -> SafeString:
    """The rendered content of ``report`` (with ``current`` and ``patient`` loaded) at ``now``."""
    patient = report.patient
    parts = (report.pk, report.current_id, patient.pk, patient.sex, patient.birth_date)
    return cached_html(
        (TEMPLATE, "results/_item.html"),
        parts + (history_stamp(report.patient_id, now),),
        lambda: render_to_string(TEMPLATE, body_context(report, now)),
    )


def cached_html(templates: tuple, parts: tuple, draw) -> SafeString:
    """``draw()``'s HTML, kept in the pages cache under a key of ``parts`` (lib/page_cache.py)."""
    return page_cache.cached_html("results:html", templates, parts, draw)


def history_stamp(patient_id: int, now) -> tuple:
    """The stamp of a patient's reports (``ReportQuerySet.history_stamp``), for keys of what is
    drawn from the ones visible at ``now``."""
    return Report.objects.filter(patient_id=patient_id).history_stamp(now)


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
