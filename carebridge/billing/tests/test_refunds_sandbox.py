"""A refund end to end against WeChat Pay's stand-in on loopback: submitted through the outbox,
accepted (PROCESSING), then settled by the sandbox and its REFUND.* notification delivered over
the wire to our notify_url, or found by the query when the notification is lost."""

import pytest

from carebridge.billing.actions.checks import check_due_refunds
from carebridge.billing.actions.orders import record_payment
from carebridge.billing.actions.refunds import SUBMIT_TOPIC, request_refund
from carebridge.billing.models import Order, OrderStatus, Refund, RefundStatus
from carebridge.outbox import worker
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.sandbox.models import SandboxPayNotification, SandboxPayRefund
from carebridge.sandbox.wxpay import notify, refunds

from .helpers import paid
from .test_record_payment import payment

pytestmark = [pytest.mark.usefixtures("pay_sandbox"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid_order(order):
    at_wechat = paid(order)
    return record_payment(
        payment(order, transaction_id=at_wechat.transaction_id, total=at_wechat.total)
    )


def submitted(refund) -> Refund:
    assert worker.run_once("test") >= 1
    row = OutboxMessage.objects.get(topic=SUBMIT_TOPIC)
    assert row.status == OutboxStatus.SENT, row.last_error
    return Refund.objects.get(pk=refund.pk)


def test_a_refund_is_accepted_then_settled_by_its_notification(paid_order, merchant):
    refund = submitted(request_refund(paid_order, 5000, "部分退款"))
    assert refund.status == RefundStatus.PROCESSING and refund.refund_id
    accepted = refund.accepted_at  # the day the trade bill lists it (reconciliation)
    assert accepted
    at_wechat = SandboxPayRefund.objects.get(out_refund_no=refund.out_refund_no)
    assert (at_wechat.refund, at_wechat.notify_url) == (5000, merchant.notify_url)
    refunds.settle(merchant.mchid, refund.out_refund_no)
    # The payment's notification and the refund's, POSTed to our notify_url: both taken.
    assert notify.deliver_due() == 2
    assert not SandboxPayNotification.objects.filter(delivered_at=None).exists()
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCESS and refund.succeeded_at
    assert refund.accepted_at == accepted  # the outcome keeps the acceptance's time
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID  # 150.00 left


def test_a_refund_whose_notification_is_lost_is_found_by_the_query(paid_order, merchant, clock):
    refund = submitted(request_refund(paid_order, 20000, "全额退款"))
    refunds.settle(merchant.mchid, refund.out_refund_no)  # its notification never delivered
    clock.advance(minutes=5)
    assert check_due_refunds(limit=10) == 1
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCESS
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.REFUNDED


def test_a_closed_refund_at_wechat_pay_gives_the_amount_back(paid_order, merchant):
    refund = submitted(request_refund(paid_order, 20000, "全额退款"))
    refunds.settle(merchant.mchid, refund.out_refund_no, "CLOSED")
    notify.deliver_due()
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.CLOSED
    assert Order.objects.get(pk=paid_order.pk).refundable() == 20000
