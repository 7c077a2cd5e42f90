"""Orders and refunds as WeChat Pay's JSON shows them: in answers to query and refund calls,
and inside notifications' encrypted ``resource``."""

from ..models import SandboxPayOrder, SandboxPayRefund
from . import rfc3339

STATE_DESC = {"NOTPAY": "订单未支付", "SUCCESS": "支付成功", "CLOSED": "订单已关闭"}
RECEIVED_ACCOUNT = "支付用户零钱"  # where the sandbox's payers' money goes back to


def transaction_data(order: SandboxPayOrder) -> dict:
    """The order as query answers it and a TRANSACTION.SUCCESS resource carries it."""
    paid = order.trade_state == "SUCCESS"
    data = {
        "appid": order.appid,
        "mchid": order.mchid,
        "out_trade_no": order.out_trade_no,
        "trade_type": order.trade_type,
        "trade_state": order.trade_state,
        "trade_state_desc": STATE_DESC.get(order.trade_state, ""),
        "attach": order.attach,
        "amount": {"total": order.total, "currency": "CNY"},
    }
    if order.openid:  # a Native order has a payer only once somebody scanned and paid it
        data["payer"] = {"openid": order.openid}
    if paid:
        data.update(
            transaction_id=order.transaction_id,
            bank_type="OTHERS",
            success_time=rfc3339(order.success_time),
        )
        data["amount"].update(payer_total=order.total, payer_currency="CNY")
    return data


def refund_data(refund: SandboxPayRefund) -> dict:
    """The refund as /v3/refund/domestic/refunds answers it (create and query)."""
    order = refund.order
    data = {
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": order.transaction_id,
        "out_trade_no": order.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": RECEIVED_ACCOUNT,
        "create_time": rfc3339(refund.created_at),
        "status": refund.status,
        "funds_account": "AVAILABLE",
        "amount": {
            "total": order.total,
            "refund": refund.refund,
            "from": [],
            "payer_total": order.total,
            "payer_refund": refund.refund,
            "settlement_total": order.total,
            "settlement_refund": refund.refund,
            "discount_refund": 0,
            "currency": "CNY",
            "refund_fee": 0,
        },
        "promotion_detail": [],
    }
    if refund.success_time:
        data["success_time"] = rfc3339(refund.success_time)
    return data


def refund_notice_data(refund: SandboxPayRefund) -> dict:
    """The resource of a REFUND.SUCCESS / .ABNORMAL / .CLOSED notification."""
    order = refund.order
    data = {
        "mchid": refund.mchid,
        "out_trade_no": order.out_trade_no,
        "transaction_id": order.transaction_id,
        "out_refund_no": refund.out_refund_no,
        "refund_id": refund.refund_id,
        "refund_status": refund.status,
        "user_received_account": RECEIVED_ACCOUNT,
        "amount": {
            "total": order.total,
            "refund": refund.refund,
            "payer_total": order.total,
            "payer_refund": refund.refund,
        },
    }
    if refund.success_time:
        data["success_time"] = rfc3339(refund.success_time)
    return data
