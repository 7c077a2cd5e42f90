"""The booking's two hand-written statements: taking a slot and taking a place from a pool.

Everything else the booking writes goes through the ORM (actions/book.py). These two are SQL
because the ORM cannot say them in one statement, and at a release, when hundreds of bookings
claim the same session's rows at once, the number of statements and how long each row stays
locked decide the throughput (bench/RESULTS.md, "The one booking path").

Contract. Each is one statement, run inside the booking's transaction, portable between SQLite
and PostgreSQL; PostgreSQL's locking clauses are added by vendor (SQLite runs one writer at a
time). Each moves a counter only while it is under its capacity, as STYLE.md item 5 asks, so
the database's check constraints are a second line, never the first. Each has an ORM
definition it must agree with, row for row, and ``tests/test_hot_path.py`` runs both on the
same data on SQLite and PostgreSQL:

- ``claim_slot`` takes ``Slot.objects.free(now)`` of the session, first number first (or the
  chosen slot, if it is free);
- ``claim_place`` takes a place from ``SessionQuota.objects.with_room()`` of the session's
  channel while ``ClinicSession.objects.open_for_booking()`` holds the session.
"""

from django.db import connection

from .models import ClinicSession, SessionQuota, SessionStatus, Slot

SLOT = Slot._meta.db_table
POOL = SessionQuota._meta.db_table
SESSION = ClinicSession._meta.db_table


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def claim_slot(session_id: int, now, slot_id: int | None = None) -> Slot | None:
    """Take one place in the session's first free slot (or in ``slot_id``, if it is free) and
    return that slot as it is now; None when there was none to take.

    One ``UPDATE … RETURNING``: the pick and the claim are one round trip, and the slot comes
    back without a read. For the first free slot PostgreSQL skips slots that other bookings in
    flight have locked (``FOR UPDATE SKIP LOCKED``), so two hundred bookers each take a
    different slot instead of queueing on the first; a booker that finds every free slot locked
    asks for them one by one (``slot_id``), waiting for each (actions/book.py). Measured: the
    ORM's lock-then-update (a ``select_for_update(skip_locked=True)`` read, then a conditional
    ``update`` and a read of the slot) costs two statements more per booking; see RESULTS.md."""
    lock = " FOR UPDATE SKIP LOCKED" if slot_id is None and _postgresql() else ""
    chosen = " AND id = %s" if slot_id is not None else ""
    now = connection.ops.adapt_datetimefield_value(now)
    params = [session_id, now, *([slot_id] if slot_id is not None else [])]
    sql = (
        f"UPDATE {SLOT} SET booked = booked + 1"
        f" WHERE id = (SELECT id FROM {SLOT} WHERE session_id = %s AND booked < capacity"
        f" AND ends_at > %s{chosen} ORDER BY number LIMIT 1{lock})"
        " AND booked < capacity"
        " RETURNING *"
    )
    taken = list(Slot.objects.raw(sql, params))
    return taken[0] if taken else None


def claim_place(session_id: int, channel: str) -> bool:
    """Take one place from the channel's pool while the session is open for booking; False
    when the pool is full or the session is not open (look at the session to tell which).

    The session's row is share-locked (PostgreSQL) in the same statement, until the booking
    commits: a suspension committing meanwhile waits for this booking and then tells its patient,
    and one that committed first is seen here and the booking refused. A share lock, so the
    bookings of one session never queue on the session; they queue on the pool's row, the
    session's hottest, which is why this statement is the booking's last before its commit.
    The ORM has no share lock: its ``select_for_update`` on the session would make every
    booking of the session wait for the one before it to commit."""
    lock = " FOR SHARE" if _postgresql() else ""
    sql = (
        f"UPDATE {POOL} SET booked = booked + 1"
        " WHERE session_id = %s AND channel = %s AND booked < capacity"
        f" AND EXISTS (SELECT 1 FROM {SESSION} WHERE id = %s AND status = %s{lock})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_id, channel, session_id, str(SessionStatus.OPEN)])
        return cursor.rowcount == 1
