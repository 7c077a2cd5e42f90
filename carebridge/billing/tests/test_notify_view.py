"""POST /billing/wxpay/notify/<mchid>/: a payment notification verified, recorded and applied
once; anything forged, stale, probing, malformed or not ours refused with 4xx, changing
nothing."""

import threading

import pytest
from django.db import connection
from django.test import Client

from carebridge.billing.models import Order, OrderStatus, PayNotification
from carebridge.sandbox.wxpay import merchants
from carebridge.sandbox.wxpay.notify import build_notification

from .helpers import answer, paid, payment_notification, post, signed

pytestmark = pytest.mark.django_db


def status_of(order) -> str:
    return Order.objects.get(pk=order.pk).status


def test_a_payment_notification_marks_the_order_paid(client, order, merchant):
    sandbox_order = paid(order)
    response = post(client, merchant.mchid, *build_notification(sandbox_order))
    assert response.status_code == 204 and response.content == b""
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_wxpay == 20000
    assert order.transaction_id == sandbox_order.transaction_id
    note = PayNotification.objects.get()
    assert (note.event_type, note.out_trade_no, note.outcome) == (
        "TRANSACTION.SUCCESS",
        order.out_trade_no,
        "paid",
    )


def test_a_replayed_notification_answers_success_and_applies_nothing(client, order, merchant):
    headers, body = build_notification(paid(order))
    assert post(client, merchant.mchid, headers, body).status_code == 204
    Order.objects.filter(pk=order.pk).update(transaction_id="changed since")
    assert post(client, merchant.mchid, headers, body).status_code == 204
    assert Order.objects.get(pk=order.pk).transaction_id == "changed since"
    assert PayNotification.objects.count() == 1


def test_a_second_notification_of_one_payment_is_applied_once(client, order, merchant):
    sandbox_order = paid(order)
    assert post(client, merchant.mchid, *payment_notification(sandbox_order)).status_code == 204
    assert post(client, merchant.mchid, *payment_notification(sandbox_order)).status_code == 204
    outcomes = sorted(PayNotification.objects.values_list("outcome", flat=True))
    assert outcomes == ["already paid", "paid"]


def test_an_unknown_merchant_is_refused(client, order, merchant):
    response = post(client, "1900000000", *build_notification(paid(order)))
    assert response.status_code == 404 and answer(response)["code"] == "FAIL"
    assert status_of(order) == OrderStatus.PENDING


def refused(client, merchant, order, headers, body, status=401) -> dict:
    response = post(client, merchant.mchid, headers, body)
    assert response.status_code == status, response.content
    assert status_of(order) == OrderStatus.PENDING
    assert not PayNotification.objects.exists()
    return answer(response)


def test_a_forged_notification_is_refused(client, order, merchant):
    sandbox_order = paid(order)
    merchants.forge_signatures(merchant.mchid)
    assert (
        "BadSignature"
        in refused(client, merchant, order, *build_notification(sandbox_order))["message"]
    )


def test_a_tampered_body_is_refused(client, order, merchant):
    headers, body = build_notification(paid(order))
    refused(client, merchant, order, headers, body.replace(b"TRANSACTION", b"TRANSACTIOM"))


def test_a_notification_older_than_five_minutes_is_refused(client, order, merchant, clock):
    headers, body = build_notification(paid(order))
    clock.advance(minutes=5, seconds=30)
    assert "StaleTimestamp" in refused(client, merchant, order, headers, body)["message"]


def test_the_signtest_probe_is_refused(client, order, merchant):
    headers, body = build_notification(paid(order))
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]
    assert "SignatureProbe" in refused(client, merchant, order, headers, body)["message"]


def test_an_unknown_serial_is_refused(client, order, merchant, mode):
    sandbox_order = paid(order)
    merchants.set_mode(merchant.mchid, "certificate" if mode == "public_key" else "public_key")
    assert (
        "UnknownSerial"
        in refused(client, merchant, order, *build_notification(sandbox_order))["message"]
    )


def test_a_notification_sent_to_another_merchants_url_is_refused(
    client, order, merchant, other_merchant
):
    """Signed for one merchant, posted to another's notify_url: the serial is not theirs."""
    refused(Client(), other_merchant, order, *build_notification(paid(order)))


def test_a_malformed_resource_is_refused_naming_the_field(client, order, merchant):
    headers, body = signed(
        merchant.mchid, "TRANSACTION.SUCCESS", {"trade_state": "SUCCESS", "out_trade_no": "X"}
    )
    message = refused(client, merchant, order, headers, body, status=400)["message"]
    assert message == "resource: KeyError 'amount'"


def test_a_get_is_refused(client, merchant):
    assert client.get(f"/billing/wxpay/notify/{merchant.mchid}/").status_code == 405


def test_a_wrong_amount_changes_nothing_and_is_refused_every_time(client, order, merchant):
    sandbox_order = paid(order, total=1)  # WeChat Pay charged 0.01, the order is 200.00
    headers, body = build_notification(sandbox_order)
    for _ in range(2):  # the replay is refused too: WeChat Pay shows it failed
        response = post(client, merchant.mchid, headers, body)
        assert response.status_code == 409 and "amount 1" in answer(response)["message"]
    assert status_of(order) == OrderStatus.PENDING
    assert PayNotification.objects.get().outcome.startswith("refused: amount 1")


def test_another_merchants_order_is_not_paid_by_this_merchants_notification(
    client, merchant, other_merchant, alice, alice_self
):
    from carebridge.billing.actions.orders import open_order

    theirs = open_order(
        institution=other_merchant.institution,
        patient=alice_self,
        kind="deposit",
        description="预交金充值",
        total=20000,
    )
    sandbox_order = paid(theirs, merchant=merchant)  # paid to *this* merchant, same number
    response = post(client, merchant.mchid, *build_notification(sandbox_order))
    assert response.status_code == 409
    assert status_of(theirs) == OrderStatus.PENDING


def test_an_event_we_do_not_handle_is_acknowledged_and_recorded(client, merchant):
    headers, body = signed(merchant.mchid, "TRANSACTION.OTHER", {"out_trade_no": "CB1"})
    assert post(client, merchant.mchid, headers, body).status_code == 204
    assert PayNotification.objects.get().outcome == "ignored TRANSACTION.OTHER"


@pytest.mark.django_db(transaction=True)
def test_one_notification_delivered_to_two_processes_at_once_is_applied_once(
    order, merchant, monkeypatch
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from carebridge.billing.kinds import ON_PAID

    applied = []
    monkeypatch.setitem(ON_PAID, order.kind, lambda o: applied.append(o.pk))
    sandbox_order = paid(order)
    deliveries = [build_notification(sandbox_order)] * 3 + [payment_notification(sandbox_order)]
    barrier, statuses = threading.Barrier(len(deliveries)), []

    def deliver(headers, body):
        barrier.wait()
        try:
            statuses.append(post(Client(), merchant.mchid, headers, body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=d) for d in deliveries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [204] * 4
    assert applied == [order.pk]
    assert PayNotification.objects.count() == 2  # two distinct ids; one applied the payment
    assert sorted(PayNotification.objects.values_list("outcome", flat=True)) == [
        "already paid",
        "paid",
    ]


def test_an_overlong_notification_id_is_refused_not_a_server_error(client, order, merchant):
    sandbox_order = paid(order)
    headers, body = payment_notification(sandbox_order, notification_id="x" * 65)
    refused(client, merchant, order, headers, body, status=400)


def test_a_body_that_is_not_json_is_refused(client, order, merchant):
    headers, _body = build_notification(paid(order))
    refused(client, merchant, order, headers, b"\xff not json")
