"""Retries that outlast an outage: a passing failure is retried, 2 s doubling to 10 minutes
apart, for its topic's period (24 h unless it says otherwise), then failed with a staff alert;
the first message through after failures wakes the rest; messages to one recipient keep their
order; a message whose moment has passed is dropped, not sent late. Time is simulated."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.outbox import registry, worker
from carebridge.outbox.actions import enqueue
from carebridge.outbox.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db

SENT: list[int] = []
DOWN: set[str] = set()  # topics whose "WeChat" does not answer
DROPPED: list[tuple[int, str, str]] = []


@pytest.fixture(autouse=True)
def handlers():
    """test.wechat sends unless its topic is DOWN; test.short is the same with a 30-minute
    retry period; test.templates is a batch topic like wechat.template."""
    SENT.clear()
    DOWN.clear()
    DROPPED.clear()

    def send(message):
        if message.topic in DOWN:
            raise registry.RetryLater("无法连接微信服务器 (errcode None: ConnectError)")
        SENT.append(message.id)
        return {"errcode": 0}

    def send_batch(messages):
        return {m.id: _outcome(send, m) for m in messages}

    def dropped(messages):
        DROPPED.extend((m.id, m.status, m.last_error) for m in messages)

    saved = (
        dict(registry.HANDLERS),
        dict(registry.BATCH_HANDLERS),
        dict(registry.RETRY_FOR),
        dict(registry.DROPPED),
    )
    registry.HANDLERS.update({"test.wechat": send, "test.short": send})
    registry.BATCH_HANDLERS["test.templates"] = (send_batch, 10)
    registry.RETRY_FOR["test.short"] = timedelta(minutes=30)
    for topic in ("test.wechat", "test.short", "test.templates"):
        registry.DROPPED[topic] = dropped
    yield
    for table, old in zip(
        (registry.HANDLERS, registry.BATCH_HANDLERS, registry.RETRY_FOR, registry.DROPPED),
        saved,
        strict=True,
    ):
        table.clear()
        table.update(old)


def _outcome(func, message):
    try:
        return func(message)
    except Exception as exc:
        return exc


def row(message) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


def retry_until_settled(message, clock, limit=1000) -> list[float]:
    """Run the worker each time ``message`` is due, moving the clock to that moment; return the
    pauses (seconds) it waited between tries."""
    pauses = []
    for _ in range(limit):
        current = row(message)
        if current.status != OutboxStatus.PENDING:
            return pauses
        wait = max(current.available_at - timezone.now(), timedelta())
        pauses.append(round(wait.total_seconds()))  # the real clock runs on a little meanwhile
        clock.advance(wait)
        worker.run_once()
    raise AssertionError("still pending")


# --- the retry period ---------------------------------------------------------------------


def test_a_passing_failure_is_retried_with_capped_backoff_for_24_hours(clock, caplog):
    DOWN.add("test.wechat")
    message = enqueue("test.wechat", {})
    worker.run_once()
    first_failure = row(message).failing_since
    with caplog.at_level(logging.ERROR, logger="carebridge.outbox"):
        pauses = retry_until_settled(message, clock)
    assert pauses[:10] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600]
    assert max(pauses) == 600  # never more than 10 minutes apart
    failed = row(message)
    assert failed.status == OutboxStatus.FAILED and failed.alert
    assert timedelta(hours=24) <= timezone.now() - first_failure < timedelta(hours=24, seconds=5)
    assert failed.attempts == len(pauses) + 1
    assert failed.last_error.startswith("重试 24 小时后仍未发出：无法连接微信服务器")
    [line] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"#{message.pk} test.wechat: failed after retrying for 24 h" in line.getMessage()
    assert DROPPED == [(message.pk, "failed", failed.last_error)]
    assert list(OutboxMessage.objects.alerts()) == [failed]


def test_an_hour_before_the_end_of_its_period_a_message_is_still_retried(clock):
    DOWN.add("test.wechat")
    message = enqueue("test.wechat", {})
    worker.run_once()
    clock.advance(hours=23)
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    worker.run_once()
    assert row(message).status == OutboxStatus.PENDING and not row(message).alert


def test_the_period_is_a_setting(settings, clock):
    settings.OUTBOX_RETRY_HOURS = 2
    DOWN.add("test.wechat")
    message = enqueue("test.wechat", {})
    worker.run_once()
    retry_until_settled(message, clock)
    failed = row(message)
    assert failed.failing_since + timedelta(hours=2) <= timezone.now()
    assert timezone.now() < failed.failing_since + timedelta(hours=2, seconds=5)
    assert failed.status == OutboxStatus.FAILED
    assert failed.last_error.startswith("重试 2 小时后仍未发出")


def test_a_topic_may_retry_for_a_period_of_its_own(clock):
    DOWN.update({"test.short", "test.wechat"})
    short, long = enqueue("test.short", {}), enqueue("test.wechat", {})
    worker.run_once()
    retry_until_settled(short, clock)
    assert row(short).status == OutboxStatus.FAILED
    assert row(short).last_error.startswith("重试 30 分钟后仍未发出")
    assert row(long).status == OutboxStatus.PENDING


def test_a_permanent_failure_fails_at_once_without_an_alert():
    def refused(message):
        raise registry.GiveUp("该用户的 OpenID 不正确 (errcode 40003: invalid openid)")

    registry.HANDLERS["test.refused"] = refused
    message = enqueue("test.refused", {})
    worker.run_once()
    failed = row(message)
    assert failed.status == OutboxStatus.FAILED and "40003" in failed.last_error
    assert not failed.alert and not OutboxMessage.objects.alerts().exists()


# --- WeChat answers again -----------------------------------------------------------------


def test_the_first_message_through_after_an_outage_wakes_the_backlog(clock):
    DOWN.add("test.wechat")
    backlog = [enqueue("test.wechat", {"n": n}) for n in range(3)]
    for _ in range(6):  # each waits out a longer and longer pause
        clock.advance(minutes=1)
        OutboxMessage.objects.filter(pk=backlog[0].pk).update(available_at=timezone.now())
        worker.run_once()
    assert all(row(m).available_at > timezone.now() for m in backlog[1:])
    DOWN.clear()
    OutboxMessage.objects.filter(pk=backlog[0].pk).update(available_at=timezone.now())
    worker.run_once()  # backlog[0] goes through: WeChat is back
    worker.run_once()  # and the others are due at once
    assert SENT == [m.pk for m in backlog]


def test_a_message_delayed_on_purpose_is_not_woken(clock):
    DOWN.add("test.wechat")
    failing = enqueue("test.wechat", {})
    later = enqueue("test.wechat", {}, delay=timedelta(hours=2))
    worker.run_once()
    DOWN.clear()
    clock.advance(seconds=2)
    worker.run_once()
    worker.run_once()
    assert SENT == [failing.pk]
    assert row(later).available_at > timezone.now()


# --- in order per recipient ---------------------------------------------------------------


def test_a_message_waits_while_an_older_one_to_the_same_recipient_is_retried(clock):
    DOWN.add("test.wechat")
    first = enqueue("test.wechat", {}, recipient="wechat:1:o_alice")
    DOWN.add("test.templates")
    worker.run_once()
    DOWN.discard("test.templates")
    second = enqueue("test.templates", {}, recipient="wechat:1:o_alice")
    other = enqueue("test.templates", {}, recipient="wechat:1:o_bob")
    for _ in range(3):
        clock.advance(minutes=10)
        worker.run_once()
    assert SENT == [other.pk]  # alice's second message waits for her first
    assert row(second).attempts == 0
    DOWN.clear()
    clock.advance(minutes=10)
    worker.run_once()
    worker.run_once()
    assert SENT == [other.pk, first.pk, second.pk]


def test_one_pass_takes_only_the_oldest_waiting_message_of_each_recipient():
    alice = [enqueue("test.templates", {}, recipient="wechat:1:o_alice") for _ in range(3)]
    bob = enqueue("test.templates", {}, recipient="wechat:1:o_bob")
    anyone = enqueue("test.templates", {})
    assert worker.run_once() == 3
    assert SENT == [alice[0].pk, bob.pk, anyone.pk]
    worker.run_once()
    worker.run_once()
    assert SENT[3:] == [alice[1].pk, alice[2].pk]


def test_an_older_message_delayed_on_purpose_holds_nothing_up():
    later = enqueue("test.wechat", {}, recipient="wechat:1:o_alice", delay=timedelta(hours=2))
    now = enqueue("test.wechat", {}, recipient="wechat:1:o_alice")
    worker.run_once()
    assert SENT == [now.pk] and row(later).status == OutboxStatus.PENDING


# --- expiry -------------------------------------------------------------------------------


@pytest.mark.parametrize("topic", ["test.wechat", "test.templates"])
def test_a_message_whose_moment_has_passed_is_dropped_with_its_reason(clock, topic):
    visit_over = timezone.now() + timedelta(hours=1)
    DOWN.add(topic)
    message = enqueue(topic, {}, expires_at=visit_over)
    worker.run_once()
    clock.advance(hours=2)  # WeChat is back only after the visit
    DOWN.clear()
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    worker.run_once()
    dropped = row(message)
    assert SENT == [] and dropped.status == OutboxStatus.EXPIRED
    when = timezone.localtime(visit_over).strftime("%Y-%m-%d %H:%M")
    assert dropped.last_error == f"已过期：{when} 前未能发出，不再发送"
    assert DROPPED == [(message.pk, "expired", dropped.last_error)]
    assert not dropped.alert


def test_a_message_still_in_its_time_is_sent():
    message = enqueue("test.wechat", {}, expires_at=timezone.now() + timedelta(minutes=5))
    worker.run_once()
    assert SENT == [message.pk] and row(message).status == OutboxStatus.SENT
