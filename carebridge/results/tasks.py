"""Outbox handlers of the results app (run by ``carebridge worker``): the rows notify.py queued
become template messages (``wechat.actions.messaging.send_templates``, which writes one
``wechat.template`` row per message for the WeChat layer to deliver).

Each row is checked again when it runs, since a report changes while its message waits: a
version overtaken or withdrawn during a hold's delay is not announced."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation

from carebridge.outbox.registry import batch_handler, handler
from carebridge.wechat.actions.messaging import TemplateMessage, send_templates
from carebridge.wechat.limits import LimitExceeded

from .models import Report, ReportVersion, ResultsPolicy
from .notify import (
    READY_TOPIC,
    WITHDRAWN_TOPIC,
    holders,
    ready_data,
    report_url,
    withdrawn_data,
)

# Rows per worker call: a morning's lab results arrive in bursts, as bookings do at release.
READY_BATCH = 50

RELATED = ["report__institution__results_policy", "report__patient__owner__account"]


def _still_due(version: ReportVersion, released_at: str, visible: set[int]) -> str:
    """Why the version is no longer to be announced, or "" if it is."""
    if version.released_at is None or version.released_at != datetime.fromisoformat(released_at):
        return "no longer released"  # overtaken or withdrawn during its delay
    if version.report_id not in visible or version.report.current_id != version.pk:
        return "not visible"
    return ""


@batch_handler(READY_TOPIC, size=READY_BATCH)
def send_ready(messages):
    """The "report ready" messages of the released versions, one send_templates per account."""
    ids = [m.payload["version_id"] for m in messages]
    versions = ReportVersion.objects.select_related(*RELATED).in_bulk(ids)
    visible = set(
        Report.objects.visible_to_patient(timezone.now())
        .filter(pk__in=[v.report_id for v in versions.values()])
        .values_list("pk", flat=True)
    )
    outcomes, by_account = {}, {}
    with translation.override(settings.LANGUAGE_CODE):  # patients read these in Chinese
        for message in messages:
            version = versions.get(message.payload["version_id"])
            why = (
                "gone"
                if version is None
                else _still_due(version, message.payload["released_at"], visible)
            )
            if why:
                outcomes[message.id] = {"ready": why}
                continue
            report = version.report
            template = ResultsPolicy.for_institution(report.institution).tpl_report_ready
            followers = holders(report.patient) if template else []
            if not followers:
                outcomes[message.id] = {"ready": "nothing to send"}
                continue
            for follower in followers:
                wechat = TemplateMessage(
                    follower.openid,
                    template,
                    ready_data(version),
                    report_url(follower.account.slug, report.pk),
                )
                by_account.setdefault(follower.account_id, []).append(
                    (message, follower.account, wechat)
                )
    for batch in by_account.values():
        results = send_templates(batch[0][1], [wechat for _m, _a, wechat in batch])
        for (message, _account, _wechat), result in zip(batch, results, strict=True):
            outcome = outcomes.setdefault(message.id, {"ready": [], "sends": []})
            if isinstance(result, LimitExceeded):
                outcome["ready"].append(f"refused: {result.code}")
            else:  # kept, so that a withdrawal can still stop it (notify.queue_withdrawn)
                outcome["ready"].append("written")
                outcome["sends"].append(result.pk)
    return outcomes


@handler(WITHDRAWN_TOPIC)
def send_withdrawn(message):
    """The "report withdrawn" notice (报告更正通知) to the patient's holders. No link: the report
    is no longer there to open."""
    report = (
        Report.objects.select_related("institution__results_policy", "patient__owner__account")
        .filter(pk=message.payload["report_id"])
        .first()
    )
    template = report and ResultsPolicy.for_institution(report.institution).tpl_report_withdrawn
    followers = holders(report.patient) if template else []
    if not followers:
        return {"withdrawn": "nothing to send"}
    with translation.override(settings.LANGUAGE_CODE):
        wechat = [TemplateMessage(f.openid, template, withdrawn_data(report)) for f in followers]
    results = send_templates(followers[0].account, wechat)
    return {
        "withdrawn": [
            f"refused: {r.code}" if isinstance(r, LimitExceeded) else "written" for r in results
        ]
    }
