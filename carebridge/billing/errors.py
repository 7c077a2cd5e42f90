"""Refusals of billing actions (refunds, bills, the deposit): each carries a stable code, a
message for people (Chinese by default) and the HTTP status the API and pages answer with.
Nothing has changed when one is raised."""

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


class NotFound(BillingError):
    """Another institution's bill answers exactly like one that does not exist."""

    code = "not_found"
    status = 404
    default_message = _("未找到")


class PatientNotFound(NotFound):
    code = "patient_not_found"
    default_message = _("未找到该就诊人")


class PatientMismatch(BillingError):
    code = "patient_mismatch"
    default_message = _("该账单号已属于另一位就诊人")


class BillPaid(BillingError):
    code = "bill_paid"
    default_message = _("该账单已缴费,不能修改或作废")


class BillBeingPaid(BillingError):
    code = "bill_being_paid"
    default_message = _("该账单正在支付中,请在订单关闭后再修改或作废")


class BillCancelled(BillingError):
    code = "bill_cancelled"
    default_message = _("该账单已作废")


class BillNotPaid(BillingError):
    code = "bill_not_paid"
    default_message = _("该账单尚未缴费,不能开具电子票据")


class BillsUnavailable(BillingError):
    code = "bills_unavailable"
    default_message = _("所选账单已缴费、正在支付或已变更,请刷新后重试")


class NoBills(BillingError):
    code = "no_bills"
    status = 400
    default_message = _("请选择要缴费的账单")


class InsufficientDeposit(BillingError):
    code = "insufficient_deposit"
    default_message = _("预交金余额不足")


class AmountOutOfRange(BillingError):
    code = "amount_out_of_range"
    status = 400

    def __init__(self, low_yuan, high_yuan):
        super().__init__(
            _("金额应在 %(low)s 元至 %(high)s 元之间") % {"low": low_yuan, "high": high_yuan}
        )


class ReceiptConflict(BillingError):
    code = "receipt_conflict"
    default_message = _("该收据号已用于另一笔不同的充值")


class ReceiptRequired(BillingError):
    code = "receipt_required"
    status = 400
    default_message = _("窗口退款需要填写收据号")


class NothingToRefund(BillingError):
    code = "nothing_to_refund"
    default_message = _("预交金余额为零,无可退款项")


class NoMerchant(BillingError):
    code = "no_merchant"
    default_message = _("本院尚未开通微信支付")
