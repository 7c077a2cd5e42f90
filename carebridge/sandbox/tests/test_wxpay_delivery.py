"""WeChat Pay's notifications delivered on its retry schedule (15s/15s/30s/3m/10m/20m/30m/30m/
30m/60m/3h/3h/3h/6h/6h, 24 h 4 min) until the merchant answers 200 or 204; the clock is moved,
nothing sleeps. The merchant here is a bare HTTP server on loopback that answers what the test
tells it to."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from carebridge.billing.wxpay import WxPayClient
from carebridge.outbox import registry, worker
from carebridge.outbox.tests.clock import Clock
from carebridge.sandbox.models import SandboxPayNotification, SandboxPayOrder
from carebridge.sandbox.wxpay import notify, refunds, transactions
from carebridge.sandbox.wxpay.merchants import enroll
from conftest import ALICE_OPENID

pytestmark = pytest.mark.django_db
SCHEDULE = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800]
SCHEDULE += [21600, 21600]


class Merchant:
    """The merchant's notify URL: answers ``statuses`` in turn (the last one from then on)
    and keeps what it received."""

    def __init__(self):
        self.statuses = [204]
        self.received = []
        merchant = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                merchant.received.append((dict(self.headers.items()), body))
                status = (
                    merchant.statuses.pop(0) if len(merchant.statuses) > 1 else merchant.statuses[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/billing/wxpay/notify/x/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def shop():
    shop = Merchant()
    yield shop
    shop.close()


@pytest.fixture
def merchant(hospital):
    return enroll(hospital, appid="wx_renai_0000001")


@pytest.fixture
def paid(merchant, shop):
    """alice pays 12.50 yuan; the sandbox queues the notification, due at once."""
    SandboxPayOrder.objects.create(
        mchid=merchant.mchid,
        appid=merchant.appid,
        out_trade_no="RA20261203000001",
        prepay_id="wx03000000000000000000000000000001",
        description="仁爱医院-挂号费",
        total=1250,
        openid=ALICE_OPENID,
        notify_url=shop.url,
        time_expire=timezone.now() + timedelta(minutes=30),
    )
    return transactions.pay(merchant.mchid, "RA20261203000001")


def test_paying_queues_the_notification_due_at_once(paid, shop, merchant):
    note = SandboxPayNotification.objects.get()
    assert note.event_type == "TRANSACTION.SUCCESS" and note.notify_url == shop.url
    assert note.next_attempt_at <= timezone.now()
    assert notify.deliver_due() == 1
    note.refresh_from_db()
    assert (note.attempts, note.last_status, note.next_attempt_at) == (1, 204, None)
    assert note.delivered_at is not None
    notification = WxPayClient(merchant).verify_notification(*shop.received[0])
    assert notification.id == json.loads(note.body)["id"]
    assert notification.resource["out_trade_no"] == "RA20261203000001"
    assert notify.deliver_due() == 0  # delivered is delivered


def test_an_unanswered_notification_follows_wechats_schedule_then_stops(
    paid, shop, merchant, clock
):
    shop.statuses = [500]
    client = WxPayClient(merchant)
    assert notify.deliver_due() == 1
    for pause in SCHEDULE:
        clock.advance(seconds=pause - 1)
        assert notify.deliver_due() == 0, f"tried before its {pause} s pause ran out"
        clock.advance(seconds=1)
        assert notify.deliver_due() == 1
        # Signed afresh at each try: it verifies now, hours after the first.
        client.verify_notification(*shop.received[-1])
    note = SandboxPayNotification.objects.get()
    assert (note.attempts, note.next_attempt_at, note.delivered_at) == (16, None, None)
    assert sum(SCHEDULE) == 24 * 3600 + 4 * 60
    clock.advance(days=2)
    assert notify.deliver_due() == 0
    assert len({json.loads(body)["id"] for _, body in shop.received}) == 1  # one notification


def test_an_answer_stops_the_retries(paid, shop, clock):
    shop.statuses = [500, 503, 200]
    notify.deliver_due()
    clock.advance(seconds=15)
    notify.deliver_due()
    clock.advance(seconds=15)
    notify.deliver_due()
    note = SandboxPayNotification.objects.get()
    assert (note.attempts, note.last_status, note.next_attempt_at) == (3, 200, None)
    clock.advance(hours=30)
    assert notify.deliver_due() == 0
    assert len(shop.received) == 3


def test_a_merchant_that_does_not_answer_is_tried_again(paid, clock):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    SandboxPayNotification.objects.update(notify_url=f"http://127.0.0.1:{port}/")
    notify.deliver_due()
    note = SandboxPayNotification.objects.get()
    assert (note.last_status, note.attempts) == (0, 1)
    assert note.next_attempt_at == pytest.approx(
        timezone.now() + timedelta(seconds=15), abs=timedelta(seconds=2)
    )


def test_the_schedule_scales_for_the_demo(paid, shop, settings, clock):
    settings.SANDBOX_PAY_RETRY_SCALE = 0.02
    shop.statuses = [500]
    notify.deliver_due()
    assert notify.pause_after(1) == timedelta(seconds=0.3)
    assert notify.pause_after(15) == timedelta(seconds=432)
    assert notify.pause_after(16) is None
    clock.advance(seconds=0.3)
    assert notify.deliver_due() == 1


def test_a_try_being_made_is_not_made_again_by_another_sender(paid, shop, clock):
    note = SandboxPayNotification.objects.get()
    now = timezone.now()
    # Another process claimed it a moment ago and is waiting on the merchant.
    SandboxPayNotification.objects.filter(pk=note.pk).update(
        attempts=1, next_attempt_at=now + notify.LEASE
    )
    assert notify.deliver_due() == 0
    clock.advance(notify.LEASE)  # that process died: the try is due again
    assert notify.deliver_due() == 1


def test_the_worker_settles_refunds_and_delivers_as_a_sweep(paid, shop, merchant, clock):
    assert "sandbox.wxpay" in registry.SWEEPS
    refund_order = SandboxPayOrder.objects.get()
    refunds.SandboxPayRefund.objects.create(
        order=refund_order,
        mchid=merchant.mchid,
        out_refund_no="RF1",
        refund_id="50300000000000000000000000001",
        refund=1250,
        notify_url=shop.url,
        settle_at=timezone.now() + timedelta(seconds=60),
    )
    assert worker.sweep_once() == 1  # the payment's notification
    clock.advance(seconds=60)
    assert worker.sweep_once() == 2  # the refund goes through, its notification goes out
    events = [json.loads(body)["event_type"] for _, body in shop.received]
    assert events == ["TRANSACTION.SUCCESS", "REFUND.SUCCESS"]
