"""Batch handlers: many rows of a topic claimed with one conditional UPDATE, handed over in one
call, recorded in bulk, with the per-message guarantees of the row-at-a-time path."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.outbox import registry, worker
from carebridge.outbox.actions import enqueue
from carebridge.outbox.models import OutboxMessage, OutboxStatus
from carebridge.tests.threads import run_together

CALLS: list[list[int]] = []
# What the test handler answers for a message, by its payload's "do": anything not listed is
# carried out and answered with its id.
BEHAVIOUR = {
    "busy": registry.RetryLater("errcode -1: system busy"),
    "bad": registry.GiveUp("errcode 40003: invalid openid"),
    "crash": KeyError("openid"),
}


@pytest.fixture(autouse=True)
def handlers():
    """test.batch answers per message; test.whole_* fail the whole call; test.poison crashes
    whenever its batch holds a message whose payload says so."""
    CALLS.clear()

    def batch(messages):
        CALLS.append([m.id for m in messages])
        outcomes = {}
        for m in messages:
            do = m.payload.get("do")
            if do != "skip":
                outcomes[m.id] = BEHAVIOUR.get(do, {"errcode": 0, "msgid": m.id})
        return outcomes

    def same_answer(messages):
        CALLS.append([m.id for m in messages])
        return {m.id: {"written": True} for m in messages}

    def whole_busy(messages):
        raise registry.RetryLater("WeChat is down")

    def whole_bad(messages):
        raise registry.GiveUp("the account was deleted")

    def poison(messages):
        CALLS.append([m.id for m in messages])
        if any(m.payload.get("poison") for m in messages):
            raise ValueError("cannot render this one")
        return {m.id: {"ok": m.id} for m in messages}

    saved = dict(registry.BATCH_HANDLERS)
    registry.BATCH_HANDLERS.update(
        {
            "test.batch": (batch, 10),
            "test.same": (same_answer, 10),
            "test.whole_busy": (whole_busy, 10),
            "test.whole_bad": (whole_bad, 10),
            "test.poison": (poison, 10),
        }
    )
    yield
    registry.BATCH_HANDLERS.clear()
    registry.BATCH_HANDLERS.update(saved)


def rows(topic, n, **payload):
    return [enqueue(topic, {"n": i, **payload}) for i in range(n)]


def fetched(messages):
    return list(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).order_by("id"))


def make_due(messages):
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        available_at=timezone.now()
    )


pytestmark = pytest.mark.django_db


def test_a_burst_is_handed_over_in_batches_and_recorded_with_each_answer():
    messages = rows("test.batch", 25)
    assert worker.run_once() == 25
    assert [len(call) for call in CALLS] == [10, 10, 5]
    for m in fetched(messages):
        assert m.status == OutboxStatus.SENT and m.attempts == 1 and m.sent_at is not None
        assert m.response == {"errcode": 0, "msgid": m.id} and m.claimed_by
    assert worker.run_once() == 0 and len(CALLS) == 3


def test_a_batch_costs_a_few_statements_whatever_its_size():
    rows("test.same", 10)
    rows("test.batch", 10)
    with CaptureQueriesContext(connection) as queries:
        assert worker.run_once() == 20
    # The pass's SELECT, then per batch its claim and one UPDATE of the sent rows.
    assert len(queries) == 5
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 20


def test_two_claims_never_share_a_row():
    messages = rows("test.batch", 6)
    seen_by_a = fetched(messages)
    seen_by_b = fetched(messages)
    taken_by_a = worker.claim_batch(seen_by_a[:4], "a")
    taken_by_b = worker.claim_batch(seen_by_b, "b")
    assert [m.id for m in taken_by_a] == [m.id for m in messages[:4]]
    assert [m.id for m in taken_by_b] == [m.id for m in messages[4:]]
    assert all(m.attempts == 1 for m in taken_by_a + taken_by_b)
    claimed_by = dict(OutboxMessage.objects.values_list("id", "claimed_by"))
    assert [claimed_by[m.id] for m in messages] == ["a"] * 4 + ["b"] * 2


def test_a_row_waiting_out_its_backoff_is_not_claimed_early():
    [message] = rows("test.batch", 1)
    seen = fetched([message])
    OutboxMessage.objects.filter(pk=message.pk).update(
        available_at=timezone.now() + timedelta(seconds=30)
    )
    assert worker.claim_batch(seen, "a") == []


def test_each_message_gets_its_own_outcome():
    sent, busy, bad, crash, skipped = (
        enqueue("test.batch", {"do": do}) for do in ("ok", "busy", "bad", "crash", "skip")
    )
    assert worker.run_once() == 5
    sent, busy, bad, crash, skipped = fetched([sent, busy, bad, crash, skipped])
    assert sent.status == OutboxStatus.SENT
    assert bad.status == OutboxStatus.FAILED and "40003" in bad.last_error
    for retried, error in ((busy, "busy"), (crash, "KeyError"), (skipped, "no outcome")):
        assert retried.status == OutboxStatus.PENDING and error in retried.last_error
        assert retried.claimed_at is None and retried.available_at > timezone.now()
    assert worker.run_once() == 0  # the retried ones are not due yet


def test_a_whole_batch_refused_for_now_is_retried_and_for_good_is_failed():
    busy = rows("test.whole_busy", 3)
    bad = rows("test.whole_bad", 2)
    assert worker.run_once() == 5
    for m in fetched(busy):
        assert m.status == OutboxStatus.PENDING and "WeChat is down" in m.last_error
        assert m.available_at > timezone.now()
    for m in fetched(bad):
        assert m.status == OutboxStatus.FAILED and "deleted" in m.last_error


def test_a_crashing_batch_is_run_again_message_by_message_so_one_bad_row_holds_up_only_itself():
    good = rows("test.poison", 3)
    [bad] = rows("test.poison", 1, poison=True)
    assert worker.run_once() == 4
    ids = [m.id for m in good] + [bad.id]
    assert CALLS == [ids, *([i] for i in ids)]
    assert all(m.status == OutboxStatus.SENT for m in fetched(good))
    bad.refresh_from_db()
    assert bad.status == OutboxStatus.PENDING and "ValueError" in bad.last_error
    assert bad.available_at > timezone.now()


def test_a_message_that_keeps_crashing_its_batch_is_given_up_after_its_retry_period(
    settings, clock
):
    settings.OUTBOX_RETRY_HOURS = 1
    [bad] = rows("test.poison", 1, poison=True)
    for _ in range(3):
        make_due([bad])
        assert worker.run_once() == 1
        clock.advance(minutes=30)
    bad.refresh_from_db()
    assert bad.status == OutboxStatus.FAILED and bad.attempts == 3 and bad.alert
    make_due([bad])
    assert worker.run_once() == 0


def test_a_crashed_workers_batch_is_resumed_after_its_lease_and_a_live_one_is_left_alone(
    settings,
):
    dead = rows("test.batch", 3)
    live = rows("test.batch", 2)
    stale = timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    worker.claim_batch(fetched(dead), "dead:1")
    worker.claim_batch(fetched(live), "busy:2")
    OutboxMessage.objects.filter(pk__in=[m.pk for m in dead]).update(claimed_at=stale)
    assert worker.run_once("alive:3") == 3
    assert CALLS == [[m.id for m in dead]]
    for m in fetched(dead):
        assert m.status == OutboxStatus.SENT and m.claimed_by == "alive:3" and m.attempts == 2
    assert all(m.status == OutboxStatus.PENDING for m in fetched(live))


def test_a_row_claimed_alone_goes_through_its_batch_handler():
    [message] = rows("test.batch", 1)
    assert worker.claim(message, "one-at-a-time")
    worker.process(message)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and CALLS == [[message.id]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_hand_each_message_over_exactly_once():
    ids = [m.id for m in rows("test.batch", 60)]

    def work(name):
        while worker.run_once(name, limit=15):
            pass

    run_together(work, [(f"w{i}",) for i in range(4)])
    handed_over = [i for call in CALLS for i in call]
    assert sorted(handed_over) == sorted(ids)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT, attempts=1).count() == 60
