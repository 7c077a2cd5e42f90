from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    """Half-day clinic sessions (上午 / 下午 / 夜间门诊)."""

    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")
    EVENING = "evening", _("夜间")


# Usual opening hours of each period; a template or session may set its own.
PERIOD_HOURS = {
    Period.MORNING: (time(8, 0), time(11, 30)),
    Period.AFTERNOON: (time(13, 30), time(17, 0)),
    Period.EVENING: (time(18, 0), time(21, 0)),
}


class Channel(models.TextChoices):
    """Where a booking comes from. All channels share one queue per session (seed 001)."""

    WECHAT = "wechat", _("微信")
    WINDOW = "window", _("窗口")
    KIOSK = "kiosk", _("自助机")
    PHONE = "phone", _("电话")
    REFERRAL = "referral", _("转诊预留")


class ClinicType(models.TextChoices):
    GENERAL = "general", _("普通门诊")
    EXPERT = "expert", _("专家门诊")
    SPECIAL = "special", _("特需门诊")


class SessionStatus(models.TextChoices):
    OPEN = "open", _("正常")
    SUSPENDED = "suspended", _("停诊")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    CALLED = "called", _("已叫号")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


# Statuses that hold a slot (and count for the one-appointment-per-session rule and the limits).
HOLDING = [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.CALLED]


class PaymentStatus(models.TextChoices):
    """The registration fee. Paying online belongs to the billing issue: until then fees are paid
    at the hospital (seed 004) and appointments stay ``unpaid``. A cancelled appointment that was
    paid becomes ``refund_due``; billing refunds it and sets ``refunded``."""

    UNPAID = "unpaid", _("未支付")
    PAID = "paid", _("已支付")
    REFUND_DUE = "refund_due", _("待退款")
    REFUNDED = "refunded", _("已退款")


class FeePayment(models.TextChoices):
    """When the registration fee is paid: at the hospital on the day (seed 004's usual way), or
    on WeChat when booking, within the payment deadline or the place goes back to its pool."""

    AT_VISIT = "at_visit", _("到院缴费")
    AT_BOOKING = "at_booking", _("预约时在线支付")


class CancelledBy(models.TextChoices):
    PATIENT = "patient", _("患者")
    STAFF = "staff", _("工作人员")
    SUSPENSION = "suspension", _("停诊")
    # The fee of a pay-at-booking session was not paid by its deadline.
    UNPAID = "unpaid", _("超时未支付")
