"""Refunds as a ledger: only a paid order's WeChat Pay part, never past its remainder, submitted
under one out_refund_no however often it is retried, settled only by WeChat Pay's word."""

import threading

import pytest
from django.db import connection

from carebridge.billing import errors
from carebridge.billing.actions.refunds import (
    SUBMIT_TOPIC,
    RefundMismatch,
    RefundResult,
    record_refund_result,
    request_refund,
)
from carebridge.billing.models import Order, OrderStatus, Refund, RefundStatus
from carebridge.billing.tasks import submit
from carebridge.billing.wxpay import WxPayClient, WxPayRefused, WxPayUnavailable
from carebridge.outbox.models import OutboxMessage
from carebridge.outbox.registry import GiveUp, RetryLater

from .helpers import refund_notification, refund_resource
from .test_record_payment import payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(order):
    from carebridge.billing.actions.orders import record_payment

    return record_payment(payment(order))


class FakeRefunds:
    """WeChat Pay's refund API as the client calls it, failing on demand (the sandbox's real
    one is used in test_refunds_sandbox.py)."""

    def __init__(self, monkeypatch):
        self.calls, self.fail, self.answers = [], None, {}
        monkeypatch.setattr(WxPayClient, "refund", self.refund, raising=False)
        monkeypatch.setattr(WxPayClient, "query_refund", self.query_refund, raising=False)

    def refund(self, *, out_trade_no, out_refund_no, refund, total, reason, notify_url):
        self.calls.append((out_trade_no, out_refund_no, refund, total, reason, notify_url))
        if self.fail:
            raise self.fail
        return {"refund_id": "50" + out_refund_no[-10:], "status": "PROCESSING"}

    def query_refund(self, out_refund_no):
        if self.fail:
            raise self.fail
        return self.answers[out_refund_no]


@pytest.fixture
def wxpay_refunds(monkeypatch):
    return FakeRefunds(monkeypatch)


def run_submission(refund):
    message = OutboxMessage.objects.get(topic=SUBMIT_TOPIC, payload={"refund": refund.pk})
    return submit(message)


def test_a_refund_is_recorded_pending_and_queued(paid_order, admin_user):
    refund = request_refund(paid_order, 5000, " 患者要求 ", by=admin_user)
    assert (refund.status, refund.amount, refund.reason) == (RefundStatus.PENDING, 5000, "患者要求")
    assert refund.requested_by == admin_user
    assert OutboxMessage.objects.filter(topic=SUBMIT_TOPIC, payload={"refund": refund.pk}).exists()
    assert paid_order.refundable() == 15000


@pytest.mark.parametrize("amount", [0, -1, 12.5, "100", True, None])
def test_an_amount_that_is_not_whole_positive_fen_is_refused(paid_order, amount):
    with pytest.raises(errors.BadRefundAmount):
        request_refund(paid_order, amount, "退款")
    assert not Refund.objects.exists()
    assert not OutboxMessage.objects.filter(topic=SUBMIT_TOPIC).exists()


def test_an_empty_reason_is_refused(paid_order):
    with pytest.raises(errors.MissingRefundReason):
        request_refund(paid_order, 100, "   ")


def test_an_unpaid_order_is_not_refunded(order):
    with pytest.raises(errors.NotRefundable):
        request_refund(order, 100, "退款")
    assert not Refund.objects.exists()


def test_the_remainder_counts_every_refund_still_on_its_way(paid_order):
    request_refund(paid_order, 15000, "部分退款")
    with pytest.raises(errors.RefundExceedsRemainder) as refused:
        request_refund(paid_order, 5001, "再退")
    assert "50.00" in str(refused.value.message)
    closed = request_refund(paid_order, 5000, "再退")
    Refund.objects.filter(pk=closed.pk).update(status=RefundStatus.CLOSED)  # came back unpaid
    assert paid_order.refundable() == 5000


def test_at_most_fifty_refunds_per_order(paid_order):
    for _ in range(50):
        request_refund(paid_order, 1, "逐笔退款")
    with pytest.raises(errors.TooManyRefunds):
        request_refund(paid_order, 1, "第 51 笔")
    assert Refund.objects.count() == 50


def test_the_submission_sends_one_out_refund_no_however_often_it_runs(
    paid_order, wxpay_refunds, merchant
):
    refund = request_refund(paid_order, 5000, "退款")
    wxpay_refunds.fail = WxPayUnavailable("timeout")
    with pytest.raises(RetryLater):
        run_submission(refund)
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PENDING  # outcome unknown
    wxpay_refunds.fail = None
    assert run_submission(refund)["status"] == "PROCESSING"
    assert run_submission(refund) == {"status": RefundStatus.PROCESSING}  # run again: no call
    assert [c[1] for c in wxpay_refunds.calls] == [refund.out_refund_no] * 2
    assert wxpay_refunds.calls[0][2:4] == (5000, 20000)
    assert wxpay_refunds.calls[0][5] == merchant.notify_url
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PROCESSING and refund.refund_id
    assert refund.next_query_at is not None
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID  # accepted ≠ refunded


@pytest.mark.parametrize(
    ("refusal", "outcome"),
    [
        (WxPayRefused(503, "SYSTEM_ERROR", ""), RetryLater),
        (WxPayRefused(400, "PARAM_ERROR", ""), GiveUp),
    ],
)
def test_a_refusal_is_retried_only_when_it_may_pass(paid_order, wxpay_refunds, refusal, outcome):
    refund = request_refund(paid_order, 5000, "退款")
    wxpay_refunds.fail = refusal
    with pytest.raises(outcome):
        run_submission(refund)
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PENDING


def test_a_success_refunds_the_order_once_it_is_all_back(paid_order):
    first = request_refund(paid_order, 15000, "部分")
    second = request_refund(paid_order, 5000, "其余")
    record_refund_result(RefundResult.from_wxpay(refund_resource(first)))
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID
    assert record_refund_result(RefundResult.from_wxpay(refund_resource(second))) is not None
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.REFUNDED
    assert Refund.objects.get(pk=second.pk).succeeded_at is not None
    # replayed, or a query answer after the notification: nothing to claim
    assert record_refund_result(RefundResult.from_wxpay(refund_resource(second))) is None


def test_a_closed_refund_frees_its_amount_and_cannot_then_succeed(paid_order):
    refund = request_refund(paid_order, 20000, "退款")
    record_refund_result(RefundResult.from_wxpay(refund_resource(refund, "CLOSED")))
    assert paid_order.refundable() == 20000
    assert record_refund_result(RefundResult.from_wxpay(refund_resource(refund))) is None
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.CLOSED


def test_an_abnormal_refund_holds_its_amount_until_it_ends(paid_order):
    refund = request_refund(paid_order, 20000, "退款")
    record_refund_result(RefundResult.from_wxpay(refund_resource(refund, "ABNORMAL")))
    assert paid_order.refundable() == 0
    record_refund_result(RefundResult.from_wxpay(refund_resource(refund)))
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.REFUNDED


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": {"total": 20000, "refund": 4999}},
        {"amount": {"total": 19999, "refund": 5000}},
        {"out_trade_no": "CB_SOMEONE_ELSES"},
        {"mchid": "1900000000"},
        {"out_refund_no": "RF_NOT_OURS"},
    ],
    ids=["refund", "total", "order", "merchant", "unknown"],
)
def test_an_outcome_that_is_not_our_refund_changes_nothing(paid_order, changes):
    refund = request_refund(paid_order, 5000, "退款")
    with pytest.raises(RefundMismatch):
        record_refund_result(RefundResult.from_wxpay(refund_resource(refund, **changes)))
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PENDING


def test_a_refund_notification_settles_the_refund(client, paid_order, merchant):
    from .helpers import post

    refund = request_refund(paid_order, 20000, "退款")
    headers, body = refund_notification(refund)
    assert post(client, merchant.mchid, headers, body).status_code == 204
    assert post(client, merchant.mchid, headers, body).status_code == 204  # replay
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCESS
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.REFUNDED


def test_a_refund_notification_that_overtakes_the_acceptance_wins(
    client, paid_order, merchant, wxpay_refunds
):
    """Reordered: WeChat Pay's SUCCESS arrives before the submission recorded PROCESSING."""
    from .helpers import post

    refund = request_refund(paid_order, 20000, "退款")
    assert post(client, merchant.mchid, *refund_notification(refund)).status_code == 204
    run_submission(refund)
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCESS
    assert wxpay_refunds.calls == []  # settled already: not submitted at all


def test_a_refund_notification_for_someone_elses_amount_is_refused(client, paid_order, merchant):
    from .helpers import post

    refund = request_refund(paid_order, 5000, "退款")
    headers, body = refund_notification(refund, amount={"total": 20000, "refund": 20000})
    assert post(client, merchant.mchid, headers, body).status_code == 409
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PENDING


def test_a_refund_notification_whose_state_contradicts_its_event_is_malformed(
    client, paid_order, merchant
):
    from .helpers import post, signed

    refund = request_refund(paid_order, 5000, "退款")
    resource = refund_resource(refund, "CLOSED")
    response = post(client, merchant.mchid, *signed(merchant.mchid, "REFUND.SUCCESS", resource))
    assert response.status_code == 400
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_two_staff_refunding_at_once_never_exceed_the_remainder(paid_order):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    barrier, outcomes = threading.Barrier(4), []

    def refund():
        barrier.wait()
        try:
            outcomes.append(request_refund(paid_order, 8000, "并发退款"))
        except errors.RefundExceedsRemainder as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(o, Refund) for o in outcomes) == 2
    assert paid_order.refundable() == 4000
