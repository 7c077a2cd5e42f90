"""The order and refund tables refuse money that does not add up, whoever writes them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from carebridge.billing.models import Order, OrderKind, OrderStatus, Refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(hospital, alice, alice_self):
    return Order.objects.create(
        institution=hospital,
        patient=alice_self,
        follower=alice,
        kind=OrderKind.REGISTRATION,
        description="挂号费 内科 张医生",
        total=1500,
        expires_at=timezone.now() + timedelta(minutes=15),
    )


def test_an_order_gets_a_random_out_trade_no_wechat_pay_accepts(order, hospital, alice_self):
    other = Order.objects.create(
        institution=hospital,
        patient=alice_self,
        kind=OrderKind.DEPOSIT,
        description="预交金",
        total=100,
        expires_at=order.expires_at,
    )
    assert order.out_trade_no != other.out_trade_no
    assert 6 <= len(order.out_trade_no) <= 32 and order.out_trade_no.isalnum()
    assert order.is_payable


def test_a_paid_order_whose_parts_do_not_add_up_is_refused(order):
    order.status, order.paid_wxpay = OrderStatus.PAID, 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        order.save()


def test_a_paid_order_may_split_between_wechat_pay_and_the_deposit(order):
    order.status, order.paid_wxpay, order.paid_deposit = OrderStatus.PAID, 1000, 500
    order.save()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_an_unpaid_order_carries_no_paid_part(order):
    order.paid_deposit = 500
    with pytest.raises(IntegrityError), transaction.atomic():
        order.save()


def test_a_refund_of_nothing_is_refused(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(order=order, amount=0, reason="x")
