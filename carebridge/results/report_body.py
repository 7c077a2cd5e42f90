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
- the stamp of the patient's visible reports, which the trends are drawn from: a new, amended,
  withdrawn or released report changes it (``history_stamp``: the patient's ``PatientStamp``,
  else the aggregate ``ReportQuerySet.history_stamp``);
- the templates' text, so a deployment that changes them is not served the old drawing.

``cached_html`` keeps the list's rows the same way (views/reports.py: the patient, the query
string and the same stamp)."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from carebridge.lib import page_cache

from .actions.stamps import settle_stamp
from .models import PatientStamp, Report
from .presenting import items_of, sections_of

TEMPLATE = "results/_report_body.html"
BODY_TEMPLATES = (TEMPLATE, "results/_item.html")


def report_body(report: Report, now, history: tuple) -> SafeString:
    """The rendered content of ``report`` (with its ``patient``) at ``now``, when the patient's
    reports have the stamp ``history`` (``history_stamp``)."""
    patient = report.patient
    parts = (report.pk, report.current_id, patient.pk, patient.sex, patient.birth_date, history)
    return cached_html(
        BODY_TEMPLATES, parts, lambda: render_to_string(TEMPLATE, body_context(report, now))
    )


def cached_html(templates: tuple, parts: tuple, draw) -> SafeString:
    """``draw()``'s HTML, kept in the pages cache under a key of ``parts`` (lib/page_cache.py)."""
    return page_cache.cached_html("results:html", templates, parts, draw)


def history_stamp(patient_id: int, now, stamp: PatientStamp | None) -> tuple:
    """The stamp of a patient's reports, for keys of what is drawn from the ones visible at
    ``now``: the number of ``stamp`` (the patient's row, read by the caller) when it holds at
    ``now``, else the aggregate's figures (``ReportQuerySet.history_stamp``), after which the
    row is brought up to date for the next page (``settle_stamp``)."""
    if stamp is not None and stamp.holds_at(now):
        return ("number", stamp.number)
    figures = Report.objects.filter(patient_id=patient_id).history_stamp(now)
    settle_stamp(stamp, patient_id, now)
    return ("figures", *figures)


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
