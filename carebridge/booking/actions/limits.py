"""One appointment per person per session, and the anti-scalping limits: holding appointments
per person and per WeChat account, by visit day and ISO week (Monday to Sunday)."""

from django.utils.translation import gettext as _

from ..errors import AlreadyBooked, LimitReached
from ..models import Appointment, BookingPolicy


def most_allowed(policy: BookingPolicy) -> dict[str, int]:
    """The policy's limits, by the names of LIMIT_NAMES after "here"."""
    return {
        "person_day": policy.patient_daily_limit,
        "person_week": policy.patient_weekly_limit,
        "account_day": policy.account_daily_limit,
        "account_week": policy.account_weekly_limit,
    }


def check_limits(session, policy: BookingPolicy, person_key: str, booked_by) -> None:
    """Refuse a booking over a limit: the person's, and the account's when a WeChat user
    (``booked_by``) books online. One query (``AppointmentQuerySet.limit_counts``)."""
    counts = Appointment.objects.limit_counts(
        session, person_key, booked_by.pk if booked_by else None
    )
    if counts["here"]:
        raise AlreadyBooked()
    if counts["person_day"] >= policy.patient_daily_limit:
        raise LimitReached(_("该就诊人当天预约已达上限(%d 个)") % policy.patient_daily_limit)
    if counts["person_week"] >= policy.patient_weekly_limit:
        raise LimitReached(_("该就诊人本周预约已达上限(%d 个)") % policy.patient_weekly_limit)
    if booked_by is None:
        return
    if counts["account_day"] >= policy.account_daily_limit:
        raise LimitReached(_("您的账号当天预约已达上限(%d 个)") % policy.account_daily_limit)
    if counts["account_week"] >= policy.account_weekly_limit:
        raise LimitReached(_("您的账号本周预约已达上限(%d 个)") % policy.account_weekly_limit)
