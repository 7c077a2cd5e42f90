"""One appointment per person per session, and the anti-scalping limits: holding appointments
per person and per WeChat account, by visit day and ISO week (Monday to Sunday)."""

from django.utils.translation import gettext as _

from ..errors import AlreadyBooked, LimitReached
from ..models import BookingPolicy
from . import hot_sql


def most_allowed(policy: BookingPolicy) -> dict[str, int]:
    """The policy's limits, by the names of hot_sql.LIMIT_NAMES after "here"."""
    return {
        "person_day": policy.patient_daily_limit,
        "person_week": policy.patient_weekly_limit,
        "account_day": policy.account_daily_limit,
        "account_week": policy.account_weekly_limit,
    }


def check_limits(session, policy, person_key: str, booked_by) -> None:
    """Refuse a booking over a limit. One query."""
    counts = hot_sql.limit_counts(session, person_key, booked_by.pk if booked_by else None)
    refuse_over_limits(counts, policy, booked_by is not None)


def refuse_over_limits(counts: dict[str, int], policy, by_account: bool) -> None:
    """Raise the refusal for the first limit ``counts`` (hot_sql.limit_counts) has reached; the
    account's limits only ``by_account`` (a WeChat user booking online)."""
    if counts["here"]:
        raise AlreadyBooked()
    if counts["person_day"] >= policy.patient_daily_limit:
        raise LimitReached(_("该就诊人当天预约已达上限(%d 个)") % policy.patient_daily_limit)
    if counts["person_week"] >= policy.patient_weekly_limit:
        raise LimitReached(_("该就诊人本周预约已达上限(%d 个)") % policy.patient_weekly_limit)
    if not by_account:
        return
    if counts["account_day"] >= policy.account_daily_limit:
        raise LimitReached(_("您的账号当天预约已达上限(%d 个)") % policy.account_daily_limit)
    if counts["account_week"] >= policy.account_weekly_limit:
        raise LimitReached(_("您的账号本周预约已达上限(%d 个)") % policy.account_weekly_limit)
