from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from carebridge.outbox import registry, worker
from carebridge.outbox.actions import enqueue, enqueue_once
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.tests.threads import run_together

CALLS: list[int] = []


@pytest.fixture(autouse=True)
def handlers():
    """Test topics: one that succeeds, one that fails for now, one that fails for good."""
    CALLS.clear()

    def ok(message):
        CALLS.append(message.id)
        return {"errcode": 0, "msgid": message.id}

    def busy(message):
        raise registry.RetryLater("errcode -1: system busy")

    def bad(message):
        raise registry.GiveUp("errcode 40003: invalid openid")

    def crash(message):
        raise KeyError("account")  # a bug: neither RetryLater nor GiveUp

    saved = dict(registry.HANDLERS)
    registry.HANDLERS.update(
        {"test.ok": ok, "test.busy": busy, "test.bad": bad, "test.crash": crash}
    )
    yield
    registry.HANDLERS.clear()
    registry.HANDLERS.update(saved)


@pytest.mark.django_db
def test_it_sends_a_message_and_keeps_the_answer():
    message = enqueue("test.ok", {"openid": "o_alice"})
    assert worker.run_once() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.response == {"errcode": 0, "msgid": message.id}
    assert message.attempts == 1 and message.sent_at is not None


@pytest.mark.django_db
def test_it_sends_nothing_twice():
    enqueue("test.ok", {})
    worker.run_once()
    assert worker.run_once() == 0
    assert len(CALLS) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_message():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("test.ok", {})
        raise RuntimeError("the change that caused it failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_same_dedup_key_is_enqueued_once():
    first = enqueue("test.ok", {"n": 1}, dedup_key="reply:msg:42")
    second = enqueue("test.ok", {"n": 2}, dedup_key="reply:msg:42")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_enqueue_once_writes_a_key_once_and_keeps_the_first_row(django_assert_num_queries):
    due = timezone.now() + timedelta(hours=1)
    with django_assert_num_queries(1):  # one INSERT … ON CONFLICT DO NOTHING, no savepoint
        enqueue_once("test.ok", {"n": 1}, "ready:1", available_at=due)
    enqueue_once("test.ok", {"n": 2}, "ready:1")
    enqueue("test.ok", {"n": 3}, dedup_key="ready:1")
    row = OutboxMessage.objects.get()
    assert (row.payload, row.available_at, row.status) == ({"n": 1}, due, OutboxStatus.PENDING)


@pytest.mark.django_db
def test_a_passing_failure_is_retried_after_a_backoff():
    message = enqueue("test.busy", {})
    worker.run_once()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.claimed_at is None
    assert message.available_at > timezone.now()
    assert "busy" in message.last_error
    assert worker.run_once() == 0  # not due yet


@pytest.mark.django_db
def test_a_crashing_handler_is_retried_with_a_backoff_not_left_claimed(settings):
    message = enqueue("test.crash", {})
    assert worker.run_once() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.claimed_at is None and message.available_at > timezone.now()
    assert "KeyError" in message.last_error


@pytest.mark.django_db
def test_a_handler_that_keeps_crashing_is_given_up_after_its_retry_period(settings, clock):
    settings.OUTBOX_RETRY_HOURS = 1
    message = enqueue("test.crash", {})
    worker.run_once()
    clock.advance(minutes=59)
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    worker.run_once()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 2
    clock.advance(minutes=1)
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    worker.run_once()
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert message.alert and "KeyError" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    assert worker.run_once() == 0


@pytest.mark.django_db
def test_a_permanent_failure_is_not_retried():
    message = enqueue("test.bad", {})
    worker.run_once()
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert "40003" in message.last_error


@pytest.mark.django_db
def test_an_unknown_topic_fails_with_a_clear_error():
    message = enqueue("test.nobody", {})
    worker.run_once()
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert "no handler" in message.last_error


@pytest.mark.django_db
def test_a_delayed_message_waits_until_it_is_due():
    enqueue("test.ok", {}, delay=timedelta(minutes=5))
    assert worker.run_once() == 0


@pytest.mark.django_db
def test_only_one_of_two_workers_wins_a_claim():
    message = enqueue("test.ok", {})
    seen_by_a = OutboxMessage.objects.get(pk=message.pk)
    seen_by_b = OutboxMessage.objects.get(pk=message.pk)
    assert worker.claim(seen_by_a, "a") is True
    assert worker.claim(seen_by_b, "b") is False


@pytest.mark.django_db
def test_a_crashed_workers_claim_expires_and_the_message_is_resumed(settings):
    message = enqueue("test.ok", {})
    # A worker claimed it and died before finishing.
    stale = timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=stale, claimed_by="dead:1")
    assert worker.run_once("alive:2") == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.claimed_by == "alive:2"
    assert CALLS == [message.id]


@pytest.mark.django_db
def test_a_live_claim_is_left_alone():
    message = enqueue("test.ok", {})
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now())
    assert worker.run_once() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_process_each_message_exactly_once():
    ids = [enqueue("test.ok", {"n": n}).id for n in range(30)]

    def work(name):
        while worker.run_once(name, limit=5):
            pass

    run_together(work, [(f"w{i}",) for i in range(4)])
    assert sorted(CALLS) == sorted(ids)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 30


def test_worker_builds_its_http_client_before_the_first_message():
    from carebridge.lib import http

    http.close_outgoing()
    worker.run_forever(stop=lambda: True)  # started, and stopped before its first pass
    assert http._client is not None and http._client[1] is http.outgoing()
