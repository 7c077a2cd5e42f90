"""The booking's hottest statements, written by hand.

At release time hundreds of bookings arrive at once, and for each of these statements the ORM
spent several times the statement's own cost building it (profiled in bench/RESULTS.md). Each
function runs the same SQL the ORM query it replaces ran, portable between SQLite and PostgreSQL;
the one PostgreSQL-only clause (``FOR UPDATE … SKIP LOCKED``) is added by vendor. The
conditional updates keep STYLE.md's rule: a counter moves only while it is under its capacity,
and the row count says whether it did.
"""

from datetime import timedelta

from django.db import connection

from carebridge.lib.relations import attach

from ..models import (
    HOLDING,
    Appointment,
    BookingPolicy,
    ClinicSession,
    SessionQuota,
    SessionStatus,
    Slot,
)

APPOINTMENT = Appointment._meta.db_table
SESSION = ClinicSession._meta.db_table
POOL = SessionQuota._meta.db_table
SLOT = Slot._meta.db_table


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _update(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def pool_state(session_id: int, institution_id: int, channel: str) -> tuple | None:
    """(booked, capacity, session status) of the channel's pool of the institution's session,
    read without a lock; None when there is no such pool."""
    sql = (
        f"SELECT q.booked, q.capacity, s.status FROM {POOL} q"
        f" JOIN {SESSION} s ON s.id = q.session_id"
        " WHERE q.session_id = %s AND q.channel = %s AND s.institution_id = %s"
    )
    rows = _rows(sql, [session_id, channel, institution_id])
    return rows[0] if rows else None


def limit_counts(session, person_key: str, booked_by_id: int | None) -> dict[str, int]:
    """Holding appointments of the person (``person_key``) and of the WeChat account
    (``booked_by_id``; None counts nothing) in the session's institution: in this session, on
    its day, in its ISO week (Monday to Sunday). One query."""
    day = session.date
    monday = day - timedelta(days=day.weekday())
    adapt = connection.ops.adapt_datefield_value
    holding = ", ".join(["%s"] * len(HOLDING))
    sql = (
        "SELECT"
        " SUM(CASE WHEN a.person_key = %s AND a.session_id = %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.person_key = %s AND s.date = %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.person_key = %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.booked_by_id = %s AND s.date = %s THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.booked_by_id = %s THEN 1 ELSE 0 END)"
        f" FROM {APPOINTMENT} a JOIN {SESSION} s ON s.id = a.session_id"
        f" WHERE a.status IN ({holding}) AND s.institution_id = %s"
        " AND s.date BETWEEN %s AND %s AND (a.person_key = %s OR a.booked_by_id = %s)"
    )
    params = [
        person_key, session.id, person_key, adapt(day), person_key,
        booked_by_id, adapt(day), booked_by_id,
        *[str(status) for status in HOLDING], session.institution_id,
        adapt(monday), adapt(monday + timedelta(days=6)), person_key, booked_by_id,
    ]  # fmt: skip
    row = _rows(sql, params)[0]
    names = ("here", "person_day", "person_week", "account_day", "account_week")
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


# Slots of a session with room that have not started, while the channel's pool has room too
# (one query for both), first slot first. Parameters: session id, now, channel.
FREE_SLOTS = (
    f" FROM {SLOT} sl JOIN {POOL} q ON q.session_id = sl.session_id"
    " WHERE sl.session_id = %s AND sl.booked < sl.capacity AND sl.ends_at > %s"
    " AND q.channel = %s AND q.booked < q.capacity ORDER BY sl.number"
)


def first_free_slot(session_id: int, channel: str, now) -> Slot | None:
    """The first free slot (FREE_SLOTS). On PostgreSQL it is locked and slots locked by other
    bookings in flight are skipped, so concurrent bookers each take a different one instead of
    queueing on the first (SQLite runs writers one at a time)."""
    lock = " FOR UPDATE OF sl SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = f"SELECT sl.*{FREE_SLOTS} LIMIT 1{lock}"
    now = connection.ops.adapt_datetimefield_value(now)
    return next(iter(Slot.objects.raw(sql, [session_id, now, channel])), None)


def free_slot_ids(session_id: int, channel: str, now) -> list[int]:
    """Every free slot's id (FREE_SLOTS), locked or not by bookings in flight."""
    now = connection.ops.adapt_datetimefield_value(now)
    return [row[0] for row in _rows(f"SELECT sl.id{FREE_SLOTS}", [session_id, now, channel])]


def take_slot(slot_id: int) -> bool:
    """One more place taken in the slot, if it has room."""
    sql = f"UPDATE {SLOT} SET booked = booked + 1 WHERE id = %s AND booked < capacity"
    return _update(sql, [slot_id]) == 1


def take_pool_place(session_id: int, channel: str) -> bool:
    """One more place taken from the channel's pool of the session, if it has room."""
    sql = (
        f"UPDATE {POOL} SET booked = booked + 1"
        " WHERE session_id = %s AND channel = %s AND booked < capacity"
    )
    return _update(sql, [session_id, channel]) == 1


def lock_open_session(session_id: int) -> bool:
    """Share-lock the session's row until commit (PostgreSQL; SQLite's writer already holds the
    database) and say whether it is still open. A share lock: bookings of one session do not
    wait for each other here, and a suspension (an UPDATE of the row) waits for all of them."""
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    sql = f"SELECT id FROM {SESSION} WHERE id = %s AND status = %s{lock}"
    return bool(_rows(sql, [session_id, str(SessionStatus.OPEN)]))


def _one(model, sql: str, params: list):
    return next(iter(model.objects.raw(sql, params)), None)


def session_for_booking(session_id: int, institution):
    """The institution's session, with the institution and both its rule sets attached as
    ``select_related`` would attach them (``BookingPolicy.for_institution`` and
    ``PatientPolicy.for_institution`` read them from there); None for another institution's or
    an unknown id. Three plain statements: the ORM spent more building one four-table join."""
    from carebridge.patients.models import PatientPolicy

    session = _one(
        ClinicSession,
        f"SELECT * FROM {SESSION} WHERE id = %s AND institution_id = %s",
        [session_id, institution.pk],
    )
    if session is None:
        return None
    for name, model in (("booking_policy", BookingPolicy), ("patient_policy", PatientPolicy)):
        sql = f"SELECT * FROM {model._meta.db_table} WHERE institution_id = %s"
        attach(institution, name, _one(model, sql, [institution.pk]))  # None: the defaults
    session.institution = institution
    return session
