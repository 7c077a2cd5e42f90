"""Staff changing how a session's places are shared between channels."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import WrongState
from ..models import Channel, ClinicSession, SessionQuota
from ..models.schedules import QUOTA_FIELDS


@transaction.atomic
def set_quotas(session: ClinicSession, quotas: dict[str, int]) -> None:
    """Give each channel pool a new capacity. The pools must still add up to the session's
    capacity, and none may drop below what it has booked: checked inside each update, so a
    booking racing this change is never squeezed out."""
    total = sum(quotas.values())
    if total != session.capacity:
        raise WrongState(
            _("各渠道号源之和(%(total)d)必须等于号源总数(%(capacity)d)")
            % {"total": total, "capacity": session.capacity}
        )
    for channel, capacity in quotas.items():
        if not SessionQuota.objects.filter(
            session=session, channel=channel, booked__lte=capacity
        ).update(capacity=capacity):
            raise WrongState(
                _("%(channel)s渠道已约出的号源多于新的数量") % {"channel": Channel(channel).label}
            )
        setattr(session, QUOTA_FIELDS[channel], capacity)
    session.save(update_fields=list(QUOTA_FIELDS.values()))
