"""Refusals of booking actions: each carries a stable code, a message for people and the HTTP
status the API and H5 views answer with. Nothing has changed when one is raised."""

from django.utils.translation import gettext_lazy as _

from carebridge.lib.api_refusals import ApiRefusal


class BookingError(ApiRefusal):
    code = "booking_error"


class SoldOut(BookingError):
    code = "sold_out"
    default_message = _("号源已约满")


class SlotTaken(BookingError):
    code = "slot_taken"
    default_message = _("该号源刚被他人预约,请选择其他时段")


class NotReleased(BookingError):
    code = "not_released"
    default_message = _("号源尚未开放预约")


class SessionClosed(BookingError):
    code = "session_closed"
    default_message = _("该出诊已停诊或已结束,不能预约")


class AlreadyBooked(BookingError):
    code = "already_booked"
    default_message = _("该就诊人已预约本次出诊,不能重复预约")


class LimitReached(BookingError):
    code = "limit_reached"
    status = 429
    default_message = _("已达到预约次数上限")


class AccountSuspended(BookingError):
    code = "account_suspended"
    status = 403
    default_message = _("因多次爽约,您的账号暂停网上预约")


class NotEligible(BookingError):
    code = "not_eligible"
    status = 403
    default_message = _("该就诊人不能预约本院号源")


class CancelTooLate(BookingError):
    code = "cancel_too_late"
    default_message = _("已过取消截止时间,不能取消")


class WrongState(BookingError):
    code = "wrong_state"
    default_message = _("预约当前状态不允许此操作")


class QueueEmpty(BookingError):
    code = "queue_empty"
    default_message = _("没有已签到等候的患者")


class NotFound(BookingError):
    """Another institution's id answers exactly like an id that does not exist."""

    code = "not_found"
    status = 404
    default_message = _("未找到")


class PatientNotFound(NotFound):
    code = "patient_not_found"
    default_message = _("未找到该就诊人")


class BadDates(BookingError):
    code = "bad_dates"
    status = 400
    default_message = _("结束日期不能早于开始日期,且相隔不超过 62 天")


class InvalidCheckinCode(BookingError):
    code = "invalid_code"
    status = 400
    default_message = _("不是有效的签到码")
