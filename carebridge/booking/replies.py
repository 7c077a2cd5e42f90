"""WeChat replies that state booking's rules, composed from the institution's BookingPolicy: a
reply written by hand goes stale when staff change the policy (the demo's promised
cancellation "就诊前一日17:00前" while the policy allowed it until 120 minutes before).

A keyword rule answers with one of these by naming it (reply type 功能).
"""

from django.conf import settings
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from carebridge.wechat.handlers import Context, action

from .models import BookingPolicy


def release_rule(policy: BookingPolicy) -> str:
    at = time_format(policy.release_time, "TIME_FORMAT")
    if policy.release_days_ahead == 0:
        return _("只可预约当日号源，%(time)s放号") % {"time": at}
    return _("可预约%(days)d天内的号源，每日%(time)s放号") % {
        "days": policy.release_days_ahead,
        "time": at,
    }


def before_the_session(minutes: int) -> str:
    """120 → "2小时", 90 → "90分钟", 1440 → "1天"."""
    if minutes and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)d天", "%(n)d天", days) % {"n": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours}
    return ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}


def cancel_rule(policy: BookingPolicy) -> str:
    if policy.cancel_before_minutes == 0:
        return _("如需取消，请在出诊开始前操作。")
    return _("如需取消，最晚请在出诊开始前%(before)s操作。") % {
        "before": before_the_session(policy.cancel_before_minutes)
    }


@action("booking_rules", label=gettext_lazy("预约挂号须知"))
def booking_rules(ctx: Context) -> str:
    """Where to book, when places open, how to check in and until when to cancel."""
    policy = BookingPolicy.for_institution(ctx.account.institution)
    url = settings.SITE_URL + reverse("booking:departments", kwargs={"slug": ctx.account.slug})
    link = f'<a href="{url}">{_("预约挂号")}</a>'
    return "\n".join(
        [
            _("预约挂号请点击：%(link)s") % {"link": link},
            _("%(release)s；预约成功后请在就诊当日按预约时段到诊区签到。")
            % {"release": release_rule(policy)},
            cancel_rule(policy),
        ]
    )
