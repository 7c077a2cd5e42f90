"""A booking on PostgreSQL as one statement, which is its own transaction.

At a release, every booking of a session claims the same row: its channel's pool. Claimed in a
transaction of several statements, that row stayed locked from the claim until the server
thread, which had to wait its turn for the processor, sent COMMIT; the bookings behind it
queued on that wait (bench/RESULTS.md: about two of twenty database sessions were waiting for
the pool's lock at any moment of the rush). Written as one statement with data-modifying CTEs,
the slot, the pool, the appointment, its confirmation's outbox row and the caller's audit row
are claimed and written together and committed at once, inside the database: the pool's row is
locked only for the rest of that statement, and a booking makes one round trip instead of six.

It books or it changes nothing. When it takes nothing (a limit reached, a session not open,
every free slot locked by bookings in flight, a race for the pool's last place) the caller
books the usual way (book.py), which waits for what is in flight and names the reason."""

from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction

from carebridge.lib import prepared, rawrows
from carebridge.outbox.models import OutboxMessage

from .. import notify
from ..models import Appointment, SessionQuota, Slot
from . import hot_sql
from .limits import most_allowed, refuse_over_limits

POOL = SessionQuota._meta.db_table
# The pool's check constraint: its counter never passes its capacity.
POOL_FULL = "pool_not_oversold"


def usable(slot, booked_by, audit=None) -> bool:
    """Whether this booking can be the one statement: PostgreSQL, the first free slot (not a
    given one) and no WeChat account booking (whose limits need the account's row locked
    first), rows that ``save()`` would write as a plain INSERT."""
    return (
        connection.vendor == "postgresql"
        and slot is None
        and booked_by is None
        and rawrows.plain(Appointment)
        and rawrows.plain(OutboxMessage)
        and (audit is None or rawrows.plain(type(audit)))
    )


def book(appointment: Appointment, policy, now, audit=None) -> bool:
    """Take the first free slot of ``appointment.session`` from its channel's pool and write
    ``appointment`` into it, with its confirmation's outbox row if it has one and ``audit`` (an
    unsaved row of a plain model) if given, within the person's limits. True: booked, and
    ``appointment`` (and ``audit``) saved. False: nothing changed, for a reason this statement
    cannot tell. Raises, nothing changed, AlreadyBooked or LimitReached for a limit reached,
    and IntegrityError when the person holds this session already, booked by a request in
    flight."""
    sql, params = _statement(appointment, policy, most_allowed(policy), now, audit)
    # Its own transaction, or a savepoint within the caller's, so that an IntegrityError leaves
    # the caller's transaction usable.
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            with connection.cursor() as cursor:
                prepared.execute(cursor, sql, params)
                row = cursor.fetchone()
    except IntegrityError as exc:
        if POOL_FULL in str(exc):
            return False  # another booking took the pool's last place meanwhile
        raise
    counts = {name: int(n) for name, n in zip(hot_sql.LIMIT_NAMES, row, strict=False)}
    if row[-2] is None:
        refuse_over_limits(counts, policy, by_account=False)
        return False
    slot = rawrows.instance(Slot, row[len(counts) : -2])
    appointment.slot = slot
    appointment.queue_number = slot.number
    rawrows.inserted(appointment, row[-2])
    if audit is not None:
        rawrows.inserted(audit, row[-1])
    return True


def _statement(appointment: Appointment, policy, limits: dict, now, audit) -> tuple[str, list]:
    """The statement and its parameters.

    ``taken`` is take_first_free_slot's UPDATE, only while the session is open (share-locking
    its row, as the pool's claim does in book.py). The pool's counter then moves without a
    condition of its own: FREE_SLOTS saw room in it, and if another booking took the last place
    since, its check constraint fails the whole statement. The outbox row, when there is one,
    carries the new appointment's id, as ``notify.queue_confirmation`` writes it. Data-modifying
    CTEs run to completion whether or not the final SELECT reads them."""
    session = appointment.session
    counts, update, params = hot_sql.slot_claim(
        session, appointment.channel, now, appointment.person_key, None, limits, while_open=True
    )
    insert, insert_params = rawrows.insert_select(
        appointment, "taken", {"slot": "taken.id", "queue_number": "taken.number"}
    )
    sql = (
        f"{counts}, taken AS ({update} RETURNING {rawrows.columns(Slot)}),"
        f" pool AS (UPDATE {POOL} SET booked = booked + 1"
        " WHERE session_id = %s AND channel = %s AND EXISTS (SELECT 1 FROM taken)),"
        f" appointment AS ({insert})"
    )
    params += [session.id, appointment.channel, *insert_params]
    if notify.wants_confirmation(appointment, policy):
        outbox, outbox_params = rawrows.insert_select(
            OutboxMessage(topic=notify.CONFIRMATION_TOPIC),
            "appointment",
            {"payload": "jsonb_build_object('appointment_id', appointment.id)"},
        )
        sql += f", outbox AS ({outbox})"
        params += outbox_params
    if audit is not None:
        written, audit_params = rawrows.insert_select(audit, "appointment", {})
        sql += f", audit AS ({written})"
        params += audit_params
    # The counts come back whatever happened, to name a limit reached without another read.
    sql += (
        f" SELECT {', '.join(hot_sql.LIMIT_NAMES)}, {rawrows.columns(Slot, 'taken')},"
        f" appointment.id, {'audit.id' if audit is not None else 'NULL'} FROM counts"
        " LEFT JOIN taken ON TRUE LEFT JOIN appointment ON TRUE"
        + (" LEFT JOIN audit ON TRUE" if audit is not None else "")
    )
    return sql, params
