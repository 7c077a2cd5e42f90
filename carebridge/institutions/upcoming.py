"""Menu items of seed 001 whose apps come with later issues: fee lists and payment (billing),
surveys (engagement) and 个人中心 (which links to the pages that exist: reports and visits came
with results, issue 13). Until then each URL answers with an honest
page saying what will be there, so no menu item or reply link of an account is a 404.

The app that builds one mounts its own page at the same URL, above the institutions' in
carebridge/urls.py, and deletes its entry here and in institutions/urls.py.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Upcoming:
    title: str
    text: str
    links: tuple = ()  # (label, URL name taking the account's slug): pages that exist today


_APPOINTMENTS = (pgettext_lazy("menu", "我的预约"), "booking:appointments")
_PATIENTS = (pgettext_lazy("menu", "就诊人管理"), "patients:list")
_REPORTS = (pgettext_lazy("menu", "查报告单"), "results:list")
_VISITS = (pgettext_lazy("menu", "就诊记录"), "results:visits")

UPCOMING = {
    "orders": Upcoming(
        pgettext_lazy("menu", "我的服务单"),
        _("开通后，这里列出您和家人的挂号、检查、治疗等各项费用单及其缴费状态。"),
        (_APPOINTMENTS,),
    ),
    # orders/?status=unpaid, the menu's 门诊缴费
    "unpaid": Upcoming(
        pgettext_lazy("menu", "门诊缴费"),
        _("开通后，就诊后的待缴费用可在这里用微信支付，不必到窗口排队。"),
        (_APPOINTMENTS,),
    ),
    "surveys": Upcoming(
        pgettext_lazy("menu", "满意度调查"),
        _("开通后，就诊后可在这里填写满意度调查，帮助医院改进服务。"),
    ),
    "me": Upcoming(
        pgettext_lazy("menu", "个人中心"),
        _("开通后，这里汇总您的订单、账单和预交金。就诊人、预约、报告和就诊记录现在即可查看："),
        (_PATIENTS, _APPOINTMENTS, _REPORTS, _VISITS),
    ),
}


def upcoming_for(feature: str, query) -> Upcoming:
    """The entry a URL's feature and query string name (orders/?status=unpaid is 门诊缴费)."""
    if feature == "orders" and query.get("status") == "unpaid":
        return UPCOMING["unpaid"]
    return UPCOMING[feature]
