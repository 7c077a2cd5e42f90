"""A report's page for the account holding its patient: everything under the page's shell
(the heading, the content of ``report_body.py``, the visit's link, the share links with their
openings and the form making one), rendered once and kept in the pages cache (issue 13). On a
repeat view the page reads the follower, the report with its patient's stamp, and the cache.

As in report_body.py, the caller has found the report among the account's visible reports
first, and the key holds everything the content is drawn from: the report's title and current
version, the visit it links to, the patient's name, sex and birth date, the stamp of the
patient's visible reports (the trends), and the ``shares`` number of the patient's stamp, which
every link made, revoked or opened moves (models/stamps.py), while it holds. Drawn and never
kept: a page with the link just made (shown once), a share form with its errors, and a page
whose share number does not hold (a link has expired since: the page settles it). The forms'
CSRF token is each reader's own (``page_cache.with_csrf``)."""

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from carebridge.lib import page_cache

from .actions.stamps import settle_shares
from .models import Report, Visit
from .report_body import BODY_TEMPLATES, cached_html, history_stamp, report_body

TEMPLATE = "results/_report_page.html"
TEMPLATES = (TEMPLATE, "results/_nav.html", "patients/_field.html", *BODY_TEMPLATES)


def report_content(request, slug, report: Report, share_form, new_link, now) -> SafeString:
    """The page's content for ``report`` (read by ``views.reports.report_or_404``) at ``now``."""
    patient = report.patient
    stamp = getattr(patient, "results_stamp", None)  # None: the patient has no row yet
    history = history_stamp(patient.pk, now, stamp)
    visit = _visit(report)

    def draw():
        context = {
            "slug": slug,
            "report": report,
            "body": report_body(report, now, history),
            "visit": visit,
            "shares": _shares(report, now),
            "share_form": share_form,
            "new_link": new_link,
            "csrf_token": page_cache.csrf_slot(),
        }
        return render_to_string(TEMPLATE, context)

    kept = stamp is not None and stamp.shares_hold_at(now)
    if stamp is not None and not kept:
        settle_shares(stamp, patient.pk, now)  # no row: history_stamp has just made it
    if not kept or share_form.is_bound or new_link is not None:
        return page_cache.with_csrf(draw(), request)
    parts = (
        # The slot too: a new secret key makes another, so the page is drawn anew.
        ("page", page_cache.csrf_slot(), report.pk, report.current_id, report.title),
        (visit and visit.pk, patient.pk, patient.name, patient.sex, patient.birth_date),
        history,
        ("shares", stamp.shares),
    )
    return page_cache.with_csrf(cached_html(TEMPLATES, parts, draw), request)


def _visit(report):
    if report.visit_id is None:  # most reports: no query
        return None
    return Visit.objects.visible_to_patient().filter(pk=report.visit_id).first()


def _shares(report, now) -> list:
    """The report's links, newest first, each with its state at ``now`` and whether it can
    still be revoked, and its openings (``access_log``)."""
    shares = report.shares.newest_first().prefetch_related(
        Prefetch("accesses", to_attr="access_log")
    )
    return [(s, s.state_label(now), s.state(now) == "active") for s in shares]
