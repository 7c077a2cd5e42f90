"""The patient's WeChat messages about reports: "report ready" once per released version, and
"report withdrawn" when a report they could see is taken back.

The action's signals (signals.py) are received here, inside its transaction: each writes one
outbox row (committed with the change or not at all), and the worker turns the row into
template messages when it is due (tasks.py). Messages name the patient (masked) and the report,
never a value: a lock screen shows them."""

import logging

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carebridge.outbox.actions import drop_unsent, enqueue_once
from carebridge.outbox.models import OutboxMessage, OutboxStatus

from .models import Report, ReportVersion, ResultsPolicy
from .signals import report_released, report_withdrawn

log = logging.getLogger("carebridge.results")

READY_TOPIC = "results.report_ready"
WITHDRAWN_TOPIC = "results.report_withdrawn"


def ready_key(version_id: int) -> str:
    """One "report ready" per released version: a retried push or a second release of the
    same version finds this key taken and queues nothing."""
    return f"results.ready:{version_id}"


def report_url(account_slug: str, report_id: int) -> str:
    """The patient's report page, as a WeChat message links to it."""
    path = reverse("results:report", kwargs={"slug": account_slug, "report_id": report_id})
    return settings.SITE_URL + path


@receiver(report_released, dispatch_uid="results.notify.released")
def queue_ready(sender, version: ReportVersion, released_at, **kwargs) -> None:
    """Due when the patient may see the version (a hold rule's delay puts that ahead), not
    before. Nothing is queued when the institution has no template for it."""
    policy = ResultsPolicy.for_institution(version.report.institution)
    if not policy.tpl_report_ready:
        return
    enqueue_once(
        READY_TOPIC,
        {"version_id": version.pk, "released_at": released_at.isoformat()},
        ready_key(version.pk),
        available_at=released_at,
    )


@receiver(report_withdrawn, dispatch_uid="results.notify.withdrawn")
def queue_withdrawn(sender, report: Report, was_visible: bool, **kwargs) -> None:
    """A "ready" message still waiting is dropped (saying why); the patient is told of the
    withdrawal only if they could have seen the report, and the institution has the template."""
    keys = [ready_key(pk) for pk in report.versions.values_list("pk", flat=True)]
    ready = OutboxMessage.objects.filter(topic=READY_TOPIC, dedup_key__in=keys)
    # A ready row already carried out has become template rows (tasks.send_ready records their
    # sends); those WeChat has not taken yet (it was down, say) are dropped too.
    sends = [
        send
        for row in ready.filter(status=OutboxStatus.SENT)
        for send in (row.response or {}).get("sends", [])
    ]
    templates = OutboxMessage.objects.filter(topic="wechat.template", payload__send_id__in=sends)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("报告已撤回,不再通知")
        dropped = drop_unsent(ready, reason) + (drop_unsent(templates, reason) if sends else 0)
    if dropped:
        log.info("report %s withdrawn: %d ready message(s) dropped unsent", report.pk, dropped)
    policy = ResultsPolicy.for_institution(report.institution)
    if was_visible and policy.tpl_report_withdrawn:
        enqueue_once(
            WITHDRAWN_TOPIC,
            {"report_id": report.pk},
            f"results.withdrawn:{report.pk}",  # a report is withdrawn once
        )


def holders(patient) -> list:
    """The WeChat users to tell about ``patient``'s reports: the account that holds the patient,
    while the patient is not archived. A patient row belongs to one account (another account
    adding the same person makes a row of its own, which the HIS's reports do not name), so
    that is one follower at most. Whether the user still follows is WeChat's to say (43004,
    recorded on the send): our Follower row learns of it only after the fact, as booking's
    messages do."""
    if patient.archived_at is not None:
        return []
    return [patient.owner]


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def ready_data(version: ReportVersion) -> dict:
    report = version.report
    if version.is_revision:
        first = _("您的报告已更新,请查看")
    else:
        first = _("您的报告已出,请查看")
    return {
        "first": {"value": first},
        "keyword1": {"value": report.patient.masked_name()},
        "keyword2": {"value": version.title},
        "keyword3": {"value": _when(version.issued_at or version.received_at)},
        "remark": {"value": _("点击查看报告详情。如有疑问,请咨询开单医生")},
    }


def withdrawn_data(report: Report) -> dict:
    return {
        "first": {"value": _("报告更正通知:您的一份报告已被医院撤回")},
        "keyword1": {"value": report.patient.masked_name()},
        "keyword2": {"value": report.title},
        "keyword3": {"value": _when(report.withdrawn_at)},
        "remark": {"value": _("该报告已不再显示。如有疑问,请咨询医院")},
    }
