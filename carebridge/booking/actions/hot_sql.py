"""The booking's hottest statements, written by hand.

At release time hundreds of bookings arrive at once, and for each of these statements the ORM
spent several times the statement's own cost building it, and every round trip cost PostgreSQL
as much again (profiled in bench/RESULTS.md): so related reads are joined into one statement and
a pick and its update are one UPDATE … RETURNING. The SQL is portable between SQLite and
PostgreSQL; the PostgreSQL-only locking clauses (``FOR UPDATE … SKIP LOCKED``, ``FOR SHARE``) are
added by vendor, and on PostgreSQL each statement is planned once per connection
(lib/prepared.py). The conditional updates keep STYLE.md's rule: a counter moves only while it
is under its capacity, and the row count says whether it did.
"""

from datetime import timedelta

from django.db import connection

from carebridge.lib import prepared, rawrows
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
        prepared.execute(cursor, sql, params)
        return cursor.fetchall()


def _update(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.rowcount


def _patient_models():
    from carebridge.institutions.models import WeChatAccount
    from carebridge.patients.models import Patient
    from carebridge.wechat.models import Follower

    return Patient, Follower, WeChatAccount


class Opening:
    """What a booking reads first, in one statement (``booking_context``): the channel's pool,
    the session with its institution's rules and, when asked for, the patient. They are built
    only when asked for, so a sold-out answer costs the read alone."""

    def __init__(self, row: tuple, institution):
        from carebridge.patients.models import PatientPolicy

        self.booked, self.capacity, self.session_status = row[:3]
        self._session_models = (ClinicSession, BookingPolicy, PatientPolicy)
        width = sum(len(model._meta.concrete_fields) for model in self._session_models)
        self._session_row, self._patient_row = row[3 : 3 + width], row[3 + width :]
        self._institution = institution

    @property
    def full(self) -> bool:
        return self.booked >= self.capacity

    def session(self):
        """The session, with the institution and both its rule sets attached as
        ``select_related`` would attach them (``BookingPolicy.for_institution`` and
        ``PatientPolicy.for_institution`` read them from there; None: the defaults)."""
        session, booking_policy, patient_policy = rawrows.instances(
            self._session_row, *self._session_models
        )
        attach(self._institution, "booking_policy", booking_policy)
        attach(self._institution, "patient_policy", patient_policy)
        session.institution = self._institution
        return session

    def patient(self):
        """The patient asked for, if it is the institution's and not archived, with its owner
        and the owner's WeChat account attached, as ``select_related("owner__account")`` would;
        else None."""
        patient, owner, account = rawrows.instances(self._patient_row, *_patient_models())
        if patient is None:
            return None
        attach(owner, "account", account)
        attach(patient, "owner", owner)
        return patient


def booking_context(
    session_id: int, institution, channel: str, patient_id: int | None = None
) -> Opening | None:
    """The channel's pool of the institution's session, read without a lock, with the session,
    the institution's booking and patient rules and the patient ``patient_id`` (of this
    institution, not archived); None when there is no such pool (another institution's session,
    an unknown id, a channel without a pool). One statement: the ORM spent more building the
    five reads this replaces than running them. When the pool of an open session is full only
    the pool and the session's status come back (the rest is NULL): that answer is sold out,
    and most of a rush's requests get it."""
    from carebridge.patients.models import PatientPolicy

    patient, follower, account = _patient_models()
    sql = (
        f"SELECT q.booked, q.capacity, o.status, {rawrows.columns(ClinicSession, 's')},"
        f" {rawrows.columns(BookingPolicy, 'bp')}, {rawrows.columns(PatientPolicy, 'pp')},"
        f" {rawrows.columns(patient, 'p')}, {rawrows.columns(follower, 'f')},"
        f" {rawrows.columns(account, 'a')}"
        f" FROM {POOL} q JOIN {SESSION} o ON o.id = q.session_id"
        f" LEFT JOIN {SESSION} s ON s.id = o.id"
        " AND NOT (o.status = %s AND q.booked >= q.capacity)"
        f" LEFT JOIN {BookingPolicy._meta.db_table} bp ON bp.institution_id = s.institution_id"
        f" LEFT JOIN {PatientPolicy._meta.db_table} pp ON pp.institution_id = s.institution_id"
        f" LEFT JOIN ({patient._meta.db_table} p"
        f" JOIN {follower._meta.db_table} f ON f.id = p.owner_id"
        f" JOIN {account._meta.db_table} a ON a.id = f.account_id)"
        " ON p.id = %s AND p.archived_at IS NULL AND a.institution_id = s.institution_id"
        " WHERE q.session_id = %s AND q.channel = %s AND o.institution_id = %s"
    )
    params = [str(SessionStatus.OPEN), patient_id, session_id, channel, institution.pk]
    rows = _rows(sql, params)
    return Opening(rows[0], institution) if rows else None


LIMIT_NAMES = ("here", "person_day", "person_week", "account_day", "account_week")


def _counts(session, person_key: str, booked_by_id: int | None) -> tuple[str, list]:
    """``WITH mine …, counts …``: a statement's opening CTEs that count, in a row of their own
    (``counts``, columns LIMIT_NAMES), the holding appointments of the person (``person_key``)
    and of the WeChat account (``booked_by_id``; None counts nothing) in the session's
    institution: in this session, on its day, in its ISO week (Monday to Sunday). Returns the
    SQL and its parameters.

    The person's and the account's appointments are found first, by their own indexes (a
    MATERIALIZED CTE keeps the planner from starting at the sessions instead: with the table's
    statistics out of date, as at a release after a quiet night, it walked every appointment of
    the institution's sessions that week, for each booking)."""
    day = session.date
    monday = day - timedelta(days=day.weekday())
    adapt = connection.ops.adapt_datefield_value
    holding = ", ".join(["%s"] * len(HOLDING))
    whose = "a.person_key = %s" + (" OR a.booked_by_id = %s" if booked_by_id else "")
    sql = (
        f"WITH mine AS MATERIALIZED (SELECT a.session_id, a.person_key, a.booked_by_id"
        f" FROM {APPOINTMENT} a WHERE ({whose}) AND a.status IN ({holding})),"
        " counts AS (SELECT"
        " COALESCE(SUM(CASE WHEN a.person_key = %s AND a.session_id = %s THEN 1 END), 0) here,"
        " COALESCE(SUM(CASE WHEN a.person_key = %s AND s.date = %s THEN 1 END), 0) person_day,"
        " COALESCE(SUM(CASE WHEN a.person_key = %s THEN 1 END), 0) person_week,"
        " COALESCE(SUM(CASE WHEN a.booked_by_id = %s AND s.date = %s THEN 1 END), 0)"
        " account_day,"
        " COALESCE(SUM(CASE WHEN a.booked_by_id = %s THEN 1 END), 0) account_week"
        f" FROM mine a JOIN {SESSION} s ON s.id = a.session_id"
        " WHERE s.institution_id = %s AND s.date BETWEEN %s AND %s)"
    )
    params = [
        person_key, *([booked_by_id] if booked_by_id else []),
        *[str(status) for status in HOLDING],
        person_key, session.id, person_key, adapt(day), person_key,
        booked_by_id, adapt(day), booked_by_id,
        session.institution_id, adapt(monday), adapt(monday + timedelta(days=6)),
    ]  # fmt: skip
    return sql, params


def limit_counts(session, person_key: str, booked_by_id: int | None) -> dict[str, int]:
    """The counts of ``_counts``, by name (LIMIT_NAMES). One query."""
    sql, params = _counts(session, person_key, booked_by_id)
    row = _rows(sql + f" SELECT {', '.join(LIMIT_NAMES)} FROM counts", params)[0]
    return {name: int(value) for name, value in zip(LIMIT_NAMES, row, strict=True)}


# Slots of a session with room that have not started, while the channel's pool has room too
# (one query for both), first slot first. Parameters: session id, now, channel.
FREE_SLOTS = (
    f" FROM {SLOT} sl JOIN {POOL} q ON q.session_id = sl.session_id"
    " WHERE sl.session_id = %s AND sl.booked < sl.capacity AND sl.ends_at > %s"
    " AND q.channel = %s AND q.booked < q.capacity ORDER BY sl.number"
)


def _open_session() -> str:
    """The session is open, its row share-locked until commit (PostgreSQL; SQLite's writer
    already holds the database): a suspension in progress is waited for and then seen, and one
    that comes later waits for the booking. Uncorrelated, so run once (an InitPlan). Parameters:
    the session's id, the open status."""
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    return f"EXISTS (SELECT 1 FROM {SESSION} WHERE id = %s AND status = %s{lock})"


def take_first_free_slot(
    session, channel: str, now, person_key: str, booked_by_id: int | None, limits: dict
) -> Slot | None:
    """Take one more place in the first free slot (FREE_SLOTS) and return it, in one statement,
    if the person (and the account, given one) is within every limit: not booked in this session,
    and below ``limits`` (the most allowed, by the names of LIMIT_NAMES after "here"), counted
    as ``limit_counts`` counts. None when a limit is reached or no slot was free and unlocked;
    only then does the caller run ``limit_counts`` to tell which. On PostgreSQL the slot is
    locked as it is picked and slots locked by other bookings in flight are skipped, so
    concurrent bookers each take a different one instead of queueing on the first (SQLite runs
    writers one at a time).

    The limits and the claim are one statement so that a booking makes one round trip fewer:
    each cost PostgreSQL and the server thread about as much as the statement itself."""
    counts, update, params = slot_claim(session, channel, now, person_key, booked_by_id, limits)
    rows = _rows(f"{counts} {update} RETURNING {rawrows.columns(Slot)}", params)
    return rawrows.instance(Slot, rows[0]) if rows else None


def slot_claim(
    session,
    channel: str,
    now,
    person_key: str,
    booked_by_id: int | None,
    limits: dict,
    while_open: bool = False,
) -> tuple[str, str, list]:
    """take_first_free_slot's statement in two parts, without its RETURNING: the ``WITH`` of
    ``_counts`` and the UPDATE. Returns both and their parameters. With ``while_open`` the slot
    is taken only while the session is open, and the session's row is share-locked
    (PostgreSQL) until commit."""
    lock = " FOR UPDATE OF sl SKIP LOCKED" if connection.vendor == "postgresql" else ""
    names = LIMIT_NAMES[1:] if booked_by_id else LIMIT_NAMES[1:3]
    under = " AND ".join(f"{name} < %s" for name in names)
    counts, params = _counts(session, person_key, booked_by_id)
    update = (
        f"UPDATE {SLOT} SET booked = booked + 1"
        f" WHERE id = (SELECT sl.id{FREE_SLOTS} LIMIT 1{lock}) AND booked < capacity"
        f" AND EXISTS (SELECT 1 FROM counts WHERE here = 0 AND {under})"
    )
    now = connection.ops.adapt_datetimefield_value(now)
    params += [session.id, now, channel, *(limits[name] for name in names)]
    if while_open:
        update += f" AND {_open_session()}"
        params += [session.id, str(SessionStatus.OPEN)]
    return counts, update, params


def free_slot_ids(session_id: int, channel: str, now) -> list[int]:
    """Every free slot's id (FREE_SLOTS), locked or not by bookings in flight."""
    now = connection.ops.adapt_datetimefield_value(now)
    return [row[0] for row in _rows(f"SELECT sl.id{FREE_SLOTS}", [session_id, now, channel])]


def take_slot(slot_id: int) -> bool:
    """One more place taken in the slot, if it has room."""
    sql = f"UPDATE {SLOT} SET booked = booked + 1 WHERE id = %s AND booked < capacity"
    return _update(sql, [slot_id]) == 1


def take_pool_place(session_id: int, channel: str) -> bool:
    """One more place taken from the channel's pool of the session, if it has room and the
    session is still open, whose row is share-locked until commit on PostgreSQL (SQLite's
    writer already holds the database). One statement: the session's check runs first, once (an
    InitPlan), so a suspension in progress is waited for and then seen, and a suspension that
    comes later waits for this booking. False: look at the session to tell why."""
    sql = (
        f"UPDATE {POOL} SET booked = booked + 1"
        f" WHERE session_id = %s AND channel = %s AND booked < capacity AND {_open_session()}"
    )
    return _update(sql, [session_id, channel, session_id, str(SessionStatus.OPEN)]) == 1


def session_is_open(session_id: int) -> bool:
    sql = f"SELECT 1 FROM {SESSION} WHERE id = %s AND status = %s"
    return bool(_rows(sql, [session_id, str(SessionStatus.OPEN)]))
