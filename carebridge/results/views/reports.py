"""查报告单: the list (by patient, kind and date) and one report, with its share links."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carebridge.institutions.pages import institution_page
from carebridge.wechat.h5 import wechat_user_required

from .. import actions
from ..models import PatientStamp, Report, ReportShare
from ..page_forms import ReportFilterForm, ShareForm
from ..report_body import cached_html, history_stamp
from ..report_page import report_content
from .common import account_patients, chosen_patient, page_context, page_of

NEW_LINK = "results_new_share"  # session key: the link just made, shown once
BODY = "results/_list_body.html"
BODY_TEMPLATES = (
    BODY,
    "results/_report_rows.html",
    "results/_pager.html",
    "results/_nav.html",
    "patients/_field.html",
)
# What a row of the list shows (a report's version carries its whole text: not read here).
ROW_FIELDS = ("id", "title", "issued_at", "kind", "current__status")
# What a report's page reads of the report, its patient (the name shown, the sex and age
# ranges are read against) and the patient's stamp: what the content's key is made of
# (report_page.py). The patient's encrypted columns are left unread.
REPORT_FIELDS = (
    *("title", "kind", "issued_at", "patient", "visit", "current"),
    *("patient__name", "patient__sex", "patient__birth_date"),
    *(f"patient__results_stamp__{f}" for f in ("number", "settled_at", "next_release_at")),
    *(f"patient__results_stamp__{f}" for f in ("shares", "shares_until")),
)


def reports_for(follower, now):
    return Report.objects.for_account(follower).visible_to_patient(now)


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def report_list(request, slug):
    now = timezone.now()
    patients = account_patients(request.follower)
    form = ReportFilterForm(request.GET, patients)
    patient = chosen_patient(form, patients)
    context = page_context(request, slug, body=_body(request, slug, patients, patient, form, now))
    return render(request, "results/list.html", context, status=200 if form.is_valid() else 400)


def _body(request, slug, patients, patient, form, now):
    """The list's content: the filter and one page of ``patient``'s reports, drawn once per
    state of the patient's reports (the stamp), of the account's patients (the filter's names),
    filter and page. The patient is one of the signed-in account's, found first."""

    def draw():
        context = {"patients": patients, "patient": patient, "form": form, "slug": slug}
        if patient is not None:
            reports = reports_for(request.follower, now).filter(patient=patient)
            if form.is_valid():
                reports = _filtered(reports, form.cleaned_data)
            reports = reports.with_abnormal().select_related("current").only(*ROW_FIELDS)
            context["reports"] = context["page"] = page_of(reports.newest_first(), request)
        return render_to_string(BODY, context, request=request)

    # No patient, a 400 page, or a query string with more than the filter and the page (the
    # pager's links keep it): drawn, never kept, so nobody fills the cache with made-up
    # parameters.
    if patient is None or not form.is_valid() or not set(request.GET) <= {*form.fields, "page"}:
        return mark_safe(draw())  # noqa: S308 — our own template's output
    query = sorted(request.GET.lists())
    names = [(p.pk, p.name) for p in patients]
    stamp = PatientStamp.objects.filter(patient=patient).first()
    parts = ("list", slug, patient.pk, names, query, history_stamp(patient.pk, now, stamp))
    return cached_html(BODY_TEMPLATES, parts, draw)


def _filtered(reports, data):
    if data["kind"]:
        reports = reports.filter(kind=data["kind"])
    if data["start"]:
        reports = reports.filter(issued_at__date__gte=data["start"])
    if data["end"]:
        reports = reports.filter(issued_at__date__lte=data["end"])
    return reports


def report_or_404(follower, report_id, now) -> Report:
    """The report, among the account's visible ones, with what the page's key is made of
    (``report_page.py``); the version (a drawing's only) is read when the content is drawn."""
    found = reports_for(follower, now).select_related("patient__results_stamp")
    try:  # get, not first(): no ORDER BY
        return found.only(*REPORT_FIELDS).get(pk=report_id)
    except Report.DoesNotExist as exc:
        raise Http404("no such report for this user") from exc


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def report_detail(request, slug, report_id):
    return _report_page(request, slug, report_id, ShareForm(), status=200)


def _report_page(request, slug, report_id, share_form, status):
    now = timezone.now()
    report = report_or_404(request.follower, report_id, now)  # before any cached content
    new_link = request.session.pop(NEW_LINK, None)
    if new_link and new_link["report"] != report.pk:
        new_link = None
    content = report_content(request, slug, report, share_form, new_link, now)
    context = page_context(request, slug, report=report, content=content)
    return render(request, "results/report.html", context, status=status)


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
@require_POST
def share(request, slug, report_id):
    now = timezone.now()
    form = ShareForm(request.POST)
    if not form.is_valid():  # the page again with the error; another account's report: 404
        return _report_page(request, slug, report_id, form, status=400)
    try:
        made = actions.share_report(request.follower, report_id, form.cleaned_data["hours"], now)
    except Report.DoesNotExist as exc:
        raise Http404("no such report for this user") from exc
    # On the configured site, as every link we hand out is: never the request's own Host.
    link = settings.SITE_URL + reverse("results:shared", kwargs={"token": made.token})
    request.session[NEW_LINK] = {"report": report_id, "url": link}
    messages.success(request, _("分享链接已生成，请复制发给医生"))
    return redirect("results:report", slug=slug, report_id=report_id)


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
@require_POST
def revoke(request, slug, share_id):
    try:
        revoked = actions.revoke_share(request.follower, share_id, timezone.now())
    except ReportShare.DoesNotExist as exc:
        raise Http404("no such share for this user") from exc
    messages.success(request, _("分享链接已撤销，对方将无法再打开"))
    return redirect("results:report", slug=slug, report_id=revoked.report_id)
