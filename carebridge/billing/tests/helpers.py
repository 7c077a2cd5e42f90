"""Orders and refunds written as the other branches' actions will leave them (pay-core opens
and pays them; these tests only read them)."""

from datetime import timedelta

from django.utils import timezone

from carebridge.billing.models import Order, OrderKind, OrderStatus, Refund


def order(patient, *, status=OrderStatus.PENDING, total=1400, minutes=15, **fields):
    """An order of ``patient`` paid for by its owner's WeChat; PAID/REFUNDED ones paid by
    WeChat Pay (``paid_deposit`` moves part of it to the deposit)."""
    fields.setdefault("kind", OrderKind.REGISTRATION)
    fields.setdefault("description", "仁爱医院-挂号费")
    fields.setdefault("follower", patient.owner)
    if status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        deposit = fields.pop("paid_deposit", 0)
        fields.update(
            paid_wxpay=total - deposit,
            paid_deposit=deposit,
            paid_at=timezone.now(),
            transaction_id=fields.get("transaction_id", "4200000001202612030000000001"),
        )
    if status == OrderStatus.CLOSED:
        fields["closed_at"] = timezone.now()
    return Order.objects.create(
        institution=patient.owner.account.institution,
        patient=patient,
        status=status,
        total=total,
        expires_at=timezone.now() + timedelta(minutes=minutes),
        **fields,
    )


def refund(order, amount=None, status="PROCESSING", reason="取消预约退挂号费"):
    return Refund.objects.create(
        order=order, amount=amount or order.total, status=status, reason=reason
    )
