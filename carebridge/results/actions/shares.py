"""Sharing a report with a doctor elsewhere: the patient's account makes a link, may revoke it,
and every opening of it is logged."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from ..models import Report, ReportShare, ShareAccess
from ..models.shares import hash_token, new_token
from .stamps import bump_shares

USER_AGENT_LENGTH = ShareAccess._meta.get_field("user_agent").max_length


@dataclass(frozen=True)
class NewShare:
    share: ReportShare
    token: str  # shown once to the patient; only its hash is kept


@transaction.atomic
def share_report(follower, report_id: int, hours: int, now) -> NewShare:
    """A link to one report the follower's account holds and may see now, open for ``hours``
    (1 to 30 days' worth). Another account's report, or one withdrawn or not released, is
    Report.DoesNotExist: the caller cannot tell them apart."""
    report = Report.objects.for_account(follower).visible_to_patient(now).get(pk=report_id)
    lifetime = ReportShare.lifetime(hours)
    token = new_token()
    share = ReportShare.objects.create(
        report=report,
        created_by=follower,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + lifetime,
    )
    bump_shares(report.patient_id, now, share.expires_at)  # the report page lists its links
    return NewShare(share, token)


@transaction.atomic
def revoke_share(follower, share_id: int, now) -> ReportShare:
    """The link stops opening from ``now``. Only a share of a report the follower's account
    holds; revoking twice keeps the first moment."""
    share = (
        ReportShare.objects.select_for_update()
        .filter(report__in=Report.objects.for_account(follower))
        .annotate(patient_pk=F("report__patient_id"))
        .get(pk=share_id)
    )
    if share.revoked_at is None:
        share.revoked_at = now
        share.save(update_fields=["revoked_at"])
        bump_shares(share.patient_pk, now)
    return share


@transaction.atomic
def record_share_access(share: ReportShare, ip: str | None, user_agent: str, now) -> ShareAccess:
    """One row per opening, shown on the patient's report page (so its stamp moves with it).
    ``share`` is read with its report."""
    access = ShareAccess.objects.create(
        share=share, accessed_at=now, ip=ip or None, user_agent=user_agent[:USER_AGENT_LENGTH]
    )
    bump_shares(share.report.patient_id, now)
    return access
