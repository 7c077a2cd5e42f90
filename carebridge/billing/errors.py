"""Refusals of billing actions: each carries a stable code, a message for people (Chinese by
default) and the HTTP status the API and pages answer with. Nothing has changed when one is
raised."""

from django.utils.translation import gettext_lazy as _

from carebridge.lib.api_refusals import ApiRefusal


class BillingError(ApiRefusal):
    code = "billing_error"


class RefundRefused(BillingError):
    code = "refund_refused"
    default_message = _("无法退款")


class NotRefundable(RefundRefused):
    code = "not_refundable"
    default_message = _("只有已支付订单的微信支付部分可以退款")


class BadRefundAmount(RefundRefused):
    code = "bad_refund_amount"
    status = 400
    default_message = _("退款金额须为大于 0 的整数(单位:分)")


class RefundExceedsRemainder(RefundRefused):
    code = "refund_exceeds_remainder"
    default_message = _("退款金额超过可退余额")


class TooManyRefunds(RefundRefused):
    code = "too_many_refunds"
    default_message = _("一笔订单最多退款 50 次")


class MissingRefundReason(RefundRefused):
    code = "refund_reason_missing"
    status = 400
    default_message = _("请填写退款原因")
