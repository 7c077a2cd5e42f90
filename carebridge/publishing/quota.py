"""The mass-send quota as the calendar sees it: what WeChat's counter has taken (sends
submitted, from the calendar or elsewhere) plus what is planned and not yet submitted, per
period of China's calendar (service account: a natural month; subscription account: a day)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.wechat import limits

from .models import PlannedSend, PlannedSendStatus


@dataclass(frozen=True)
class Usage:
    period: str
    limit: int
    sent: int  # taken from WeChat's counter (wechat.limits)
    planned: int  # planned on the calendar, not yet submitted

    @property
    def used(self) -> int:
        return self.sent + self.planned

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def label(self) -> str:
        """The period in words: 2026年4月, or 2026年4月7日 for a subscription account."""
        parts = [int(p) for p in self.period.split("-")]
        if len(parts) == 2:
            return _("%(y)d年%(m)d月") % {"y": parts[0], "m": parts[1]}
        return _("%(y)d年%(m)d月%(d)d日") % {"y": parts[0], "m": parts[1], "d": parts[2]}


def usage(account, at: datetime | None = None) -> Usage:
    """The quota of the period containing ``at`` (default now)."""
    at = at or timezone.now()
    name = limits.mass_quota_name(account)
    quota = limits.QUOTAS[name]
    period = quota.period_key(at)
    planned = PlannedSend.objects.filter(
        account=account, period=period, status=PlannedSendStatus.PLANNED
    ).count()
    sent = quota.limit - limits.remaining(account, name, at)
    return Usage(period, quota.limit, sent, planned)
