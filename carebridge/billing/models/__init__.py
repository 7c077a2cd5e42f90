from .merchants import Merchant, VerifyMode
from .notifications import PayNotification
from .orders import Order, OrderKind, OrderStatus
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
    "Merchant",
    "Mismatch",
    "MismatchKind",
    "Order",
    "OrderKind",
    "OrderStatus",
    "PayNotification",
    "ReconciliationRun",
    "Refund",
    "RefundStatus",
    "Resolution",
    "RunStatus",
    "VerifyMode",
]
