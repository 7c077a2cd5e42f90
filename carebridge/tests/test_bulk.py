"""bulk.update_rows: many rows, each with values of its own, in one UPDATE, stored as the ORM
stores them, on both databases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carebridge.lib.bulk import update_rows
from carebridge.outbox.actions import enqueue
from carebridge.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_each_row_takes_its_own_values_and_the_shared_ones_in_one_statement():
    first, second, untouched = (enqueue("test.bulk", {"n": n}) for n in range(3))
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        updated = update_rows(
            OutboxMessage,
            {
                first.pk: {"response": {"msgid": 1, "text": "已送达"}, "sent_at": now},
                second.pk: {"response": None, "sent_at": now + timedelta(seconds=1)},
            },
            status="sent",
            last_error="",
        )
    assert updated == 2 and len(queries) == 1
    first, second, untouched = OutboxMessage.objects.order_by("id")
    assert (first.response, first.sent_at, first.status) == (
        {"msgid": 1, "text": "已送达"},
        now,
        "sent",
    )
    assert (second.response, second.sent_at, second.status) == (
        None,
        now + timedelta(seconds=1),
        "sent",
    )
    assert untouched.status == "pending" and untouched.sent_at is None
    # Stored as the ORM stores them: found by the ORM's own lookups.
    assert OutboxMessage.objects.get(response__msgid=1, sent_at=now) == first
    assert OutboxMessage.objects.filter(response__isnull=True, sent_at__gt=now).get() == second


def test_no_rows_no_statement():
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(OutboxMessage, {}, status="sent") == 0
    assert not queries
