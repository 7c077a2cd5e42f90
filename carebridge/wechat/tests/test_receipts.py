"""The receipt the callback's one-statement path inserts is the row the ORM would write."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.wechat.actions import callbacks
from carebridge.wechat.messages import normalise
from carebridge.wechat.models import CallbackReceipt

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 9, 30, 15, 123456, tzinfo=UTC)
MESSAGE = {
    "ToUserName": "gh_renai0000001",
    "FromUserName": "o_alice_0000000000000000000",
    "CreateTime": str(int(NOW.timestamp()) - 2),
    "MsgType": "text",
    "Content": "挂号 “明天” ＡＢＣ",
    "MsgId": "24602468135791",
}


def stored(receipt_id: int) -> dict:
    """The row as the database holds it (no Python conversion), without its id."""
    table = connection.ops.quote_name(CallbackReceipt._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [receipt_id])
        names = [column[0] for column in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    del row["id"]
    return row


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


def test_the_inserted_receipt_is_the_row_create_writes(account, now):
    message = normalise(MESSAGE)
    assert callbacks._insert_receipt(CallbackReceipt.of(account, message, reply="<xml/>"))
    inserted = CallbackReceipt.objects.get()
    by_hand = stored(inserted.pk)
    inserted.delete()
    created = CallbackReceipt.objects.create(
        account=account,
        dedup_key=message.dedup_key,
        msg_type="text",
        event="",
        openid=message.openid,
        payload=MESSAGE,
        reply="<xml/>",
        sent_at=message.sent_at,
    )
    assert by_hand == stored(created.pk)
    assert by_hand["received_at"] is not None and by_hand["payload"] is not None


def test_the_statement_names_every_column_but_the_id(account):
    with CaptureQueriesContext(connection) as queries:
        callbacks._insert_receipt(CallbackReceipt.of(account, normalise(MESSAGE), pending=True))
    (insert,) = [q["sql"] for q in queries]
    listed = insert[insert.index("(") + 1 : insert.index(")")]
    assert {name.strip().strip('"') for name in listed.split(",")} == {
        f.column for f in CallbackReceipt._meta.concrete_fields
    } - {"id"}


def test_a_second_insert_of_the_same_key_says_it_is_a_retry_and_writes_nothing(account):
    message = normalise(MESSAGE)
    assert callbacks._insert_receipt(CallbackReceipt.of(account, message, reply="first"))
    assert not callbacks._insert_receipt(CallbackReceipt.of(account, message, reply="second"))
    assert list(CallbackReceipt.objects.values_list("reply", flat=True)) == ["first"]


def test_bulk_create_cannot_tell_a_retry_from_an_insert(account):
    """Why the statement is written by hand (its docstring): the ORM's conflict-ignoring insert
    answers the same whether its row went in or not."""
    message = normalise(MESSAGE)
    first = CallbackReceipt.objects.bulk_create(
        [CallbackReceipt.of(account, message)], ignore_conflicts=True
    )
    again = CallbackReceipt.objects.bulk_create(
        [CallbackReceipt.of(account, message)], ignore_conflicts=True
    )
    assert CallbackReceipt.objects.count() == 1
    assert [r.pk for r in first] == [r.pk for r in again] == [None]
