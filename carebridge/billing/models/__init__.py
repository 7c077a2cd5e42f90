from .bills import Bill, BillItem, BillState, ItemCategory, OrderBill
from .deposits import Channel, DepositAccount, DepositMovement, MovementKind, WindowTopUp
from .merchants import Merchant, VerifyMode
from .notifications import PayNotification
from .orders import Order, OrderKind, OrderStatus
from .policy import BillingPolicy
from .reconciliation import (
    Mismatch,
    MismatchKind,
    ReconciliationRun,
    Resolution,
    RunStatus,
)
from .refunds import MAX_REFUNDS_PER_ORDER, Refund, RefundStatus

__all__ = [
    "MAX_REFUNDS_PER_ORDER",
    "Bill",
    "BillItem",
    "BillState",
    "BillingPolicy",
    "Channel",
    "DepositAccount",
    "DepositMovement",
    "ItemCategory",
    "Merchant",
    "Mismatch",
    "MismatchKind",
    "MovementKind",
    "Order",
    "OrderBill",
    "OrderKind",
    "OrderStatus",
    "PayNotification",
    "ReconciliationRun",
    "Refund",
    "RefundStatus",
    "Resolution",
    "RunStatus",
    "VerifyMode",
    "WindowTopUp",
]
