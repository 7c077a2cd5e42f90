"""The page a shared link opens, for a doctor elsewhere: public (no WeChat sign-in), never
indexed, showing the one report and the patient's masked name. A link that is unknown (or
tampered with) is a 404; one expired, revoked, or whose report was withdrawn, a 410."""

from django.shortcuts import render
from django.utils import timezone

from carebridge.lib.http import client_ip

from .. import actions
from ..models import ReportShare, ShareState
from ..report_body import body_context

TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)
PRIVATE = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def shared_report(request, token):
    now = timezone.now()
    share = None
    if len(token) == TOKEN_LENGTH:
        share = (
            ReportShare.objects.by_token(token)
            .select_related("report__patient", "report__current", "report__institution")
            .prefetch_related("report__current__observations", "report__current__sections")
            .first()
        )
    if share is None:
        return _refused(request, "unknown", 404)
    if share.state(now) != ShareState.ACTIVE:
        return _refused(request, share.state(now), 410)
    report = share.report
    if not report.is_visible_to_patient(now):
        return _refused(request, "withdrawn", 410)
    agent = request.headers.get("User-Agent", "")
    actions.record_share_access(share, client_ip(request), agent, now)
    context = {
        **body_context(report, now, trends=False),
        "institution": report.institution,
        "share": share,
        "patient_name": report.patient.masked_name(),
    }
    return _private(render(request, "results/shared.html", context))


def _refused(request, reason: str, status: int):
    response = render(request, "results/shared_refused.html", {"reason": reason}, status=status)
    return _private(response)


def _private(response):
    for header, value in PRIVATE.items():
        response[header] = value
    return response
