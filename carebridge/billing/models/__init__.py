from .merchants import Merchant, VerifyMode
from .notifications import PayNotification
from .orders import Order, OrderKind, OrderStatus
from .refunds import MAX_REFUNDS_PER_ORDER, Refund, RefundStatus

__all__ = [
    "MAX_REFUNDS_PER_ORDER",
    "Merchant",
    "Order",
    "OrderKind",
    "OrderStatus",
    "PayNotification",
    "Refund",
    "RefundStatus",
    "VerifyMode",
]
