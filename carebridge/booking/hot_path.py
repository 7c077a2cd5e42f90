"""The booking's hand-written statements: the opening read, taking a slot, taking a place.

Everything else a booking reads or writes goes through the ORM (actions/book.py), so save(),
signals and defaults hold: the appointment, its outbox row and the audit row are ORM inserts.
These three are SQL because at a release hundreds of bookings arrive at once, and the ORM spent
several times each statement's own cost building it (compiling the query, a few milliseconds
a statement on this machine against a fraction of one for the statement itself), and each
extra round trip costs PostgreSQL as much again. What each saves is measured in
bench/RESULTS.md ("The one booking path") and written next to it below.

Contract. Each is one statement, portable between SQLite and PostgreSQL; PostgreSQL's locking
clauses are added by vendor (SQLite runs one writer at a time). A claim moves a counter only
while it is under its capacity (STYLE.md item 5), so the check constraints are a second line,
never the first. Each has an ORM definition it must agree with, row for row, and
``tests/test_hot_path.py`` runs both on the same data, on SQLite and PostgreSQL:

- ``opening`` reads ``SessionQuota`` with its session and the institution's two policies, as
  ``select_related`` would, and the patient of ``Patient.objects.of_institution``;
- ``claim_slot`` takes ``Slot.objects.free(now)`` of the session, first number first (or the
  chosen slot, if free), while ``Appointment.objects.limit_counts`` is within the limits;
- ``claim_place`` takes a place from ``SessionQuota.objects.with_room()`` of the channel while
  ``ClinicSession.objects.open_for_booking()`` holds the session; ``PlaceClaim`` runs it as the
  transaction's last statement, on PostgreSQL sent with the COMMIT.
"""

from contextlib import ExitStack, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import connection, connections

from carebridge.patients.models import Patient, PatientPolicy

from .models import HOLDING, Appointment, BookingPolicy, ClinicSession, SessionQuota, Slot
from .models.appointments import LIMIT_NAMES
from .models.choices import SessionStatus

APPOINTMENT = Appointment._meta.db_table
POOL = SessionQuota._meta.db_table
SESSION = ClinicSession._meta.db_table
SLOT = Slot._meta.db_table


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


ASKED_ONLY = 2**31


def _prepared() -> bool:
    return _postgresql() and settings.DATABASE_POOLING != "transaction"


def _cursor():
    """A cursor for a hot statement: on PostgreSQL one that binds its parameters on the server
    (Django's own cursors bind on the client), so that ``_execute`` can prepare the statement."""
    if not _prepared():
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    return wrap(raw)


def _execute(cursor, sql: str, params: list) -> None:
    """Run a hot statement, prepared on PostgreSQL: planning the opening read cost 0.9 ms of the
    database's CPU against 0.2 ms for running it (EXPLAIN ANALYZE; RESULTS.md), so psycopg
    prepares it on the connection (protocol-level, ``prepare=True``) and PostgreSQL keeps its
    plan. Django disables psycopg's automatic preparing for every connection (poolers); this
    asks for it per statement. Behind a pooler in transaction mode that cannot keep prepared
    statements (``DATABASE_POOLING=transaction``) they are planned each time instead."""
    if not _prepared():
        cursor.execute(sql, params)
        return
    if connection.connection.prepare_threshold is None:
        # Django sets None ("never prepare") on its connections, which also refuses a statement
        # that asks. A threshold no statement reaches prepares exactly those that ask; Django's
        # own cursors bind on the client and never prepare either way.
        connection.connection.prepare_threshold = ASKED_ONLY
    connection.validate_no_broken_transaction()
    logged = cursor.debug_sql(sql, params) if hasattr(cursor, "debug_sql") else nullcontext()
    with logged, connection.wrap_database_errors:
        cursor.cursor.execute(sql, params, prepare=True)


def _rows(sql: str, params: list) -> list[tuple]:
    with _cursor() as cursor:
        _execute(cursor, sql, params)
        return cursor.fetchall()


# The opening read ------------------------------------------------------------------------------

# The patient's columns the booking uses; the rest (the encrypted numbers) load when asked for.
PATIENT_FIELDS = ("id", "owner_id", "name", "sex", "birth_date", "id_type", "id_number_hash")


@cache
def _fields(model, names: tuple[str, ...] | None = None) -> tuple:
    """``model``'s concrete fields (only ``names``, given), in the order ``_columns`` lists them."""
    return tuple(f for f in model._meta.concrete_fields if names is None or f.attname in names)


def _columns(model, alias: str, names: tuple[str, ...] | None = None) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model, names))


# Per database connection (each thread has its own), per model and column set: the converters
# of each column. Working them out on every request cost more than applying them.
_CONVERTERS: WeakKeyDictionary = WeakKeyDictionary()


def _converters(model, names) -> list:
    per_connection = _CONVERTERS.setdefault(connections[connection.alias], {})
    if (model, names) not in per_connection:
        found = []
        for field in _fields(model, names):
            col = field.get_col(model._meta.db_table)
            found.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
        per_connection[(model, names)] = found
    return per_connection[(model, names)]


def _load(model, values, names: tuple[str, ...] | None = None):
    """``model`` as the ORM loads it from ``values`` (the columns of ``_columns``): each value
    through the converters Django's compiler applies (dates and JSON on SQLite, decryption),
    then ``Model.from_db``; None when the primary key is NULL (a LEFT JOIN found nothing)."""
    if values[0] is None:
        return None
    converted = []
    for value, (col, converters) in zip(values, _converters(model, names), strict=True):
        for convert in converters:
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in _fields(model, names)], converted)


@dataclass
class Opening:
    """What ``opening`` read: the channel's pool counters and the session's status, then, when
    the pool is not a full pool of an open session, the session with its institution's rules
    attached (``BookingPolicy.for_institution`` and ``PatientPolicy.for_institution`` read them
    without a query) and the patient asked for (None: not the institution's)."""

    booked: int
    capacity: int
    status: str
    session: ClinicSession | None = None
    patient: object = None

    @property
    def full(self) -> bool:
        return self.status == SessionStatus.OPEN and self.booked >= self.capacity


@cache
def _opening_sql(vendor: str) -> str:
    """The opening read's text (built once per process: per request it showed in the profile)."""
    follower = Patient._meta.get_field("owner").related_model
    account = follower._meta.get_field("account").related_model
    return (
        f"SELECT q.booked, q.capacity, o.status, {_columns(ClinicSession, 's')},"
        f" {_columns(BookingPolicy, 'bp')}, {_columns(PatientPolicy, 'pp')},"
        f" {_columns(Patient, 'p', PATIENT_FIELDS)}"
        f" FROM {POOL} q JOIN {SESSION} o ON o.id = q.session_id"
        f" LEFT JOIN {SESSION} s ON s.id = o.id AND NOT (o.status = %s AND q.booked >= q.capacity)"
        f" LEFT JOIN {BookingPolicy._meta.db_table} bp ON bp.institution_id = s.institution_id"
        f" LEFT JOIN {PatientPolicy._meta.db_table} pp ON pp.institution_id = s.institution_id"
        f" LEFT JOIN ({Patient._meta.db_table} p"
        f" JOIN {follower._meta.db_table} f ON f.id = p.owner_id"
        f" JOIN {account._meta.db_table} a ON a.id = f.account_id)"
        " ON p.id = %s AND p.archived_at IS NULL AND a.institution_id = s.institution_id"
        " WHERE q.session_id = %s AND q.channel = %s AND o.institution_id = %s"
    )


def opening(institution, session_id: int, channel: str, patient_id: int | None) -> Opening | None:
    """The channel's pool of ``institution``'s session, its session, the institution's booking
    and patient rules and the active patient ``patient_id`` of the institution, in one read
    without a lock; None when there is no such pool (another institution's session, an unknown
    id, a channel without a pool). When the pool of an open session is full only the counters
    come back: that answer is "sold out", the answer most of a rush gets.

    Measured: the ORM's select_related read and the patient's read cost 4.4 + 3.3 ms of CPU per
    booking against 0.3 ms for this one (RESULTS.md, in-process, loaded machine)."""
    sql = _opening_sql(connection.vendor)
    rows = _rows(sql, [str(SessionStatus.OPEN), patient_id, session_id, channel, institution.pk])
    if not rows:
        return None
    row = rows[0]
    found = Opening(booked=row[0], capacity=row[1], status=row[2])
    if found.full:
        return found
    rest = row[3:]
    parts = []
    for model, names in (
        (ClinicSession, None),
        (BookingPolicy, None),
        (PatientPolicy, None),
        (Patient, PATIENT_FIELDS),
    ):
        width = len(_fields(model, names))
        parts.append(_load(model, rest[:width], names))
        rest = rest[width:]
    session, booking_policy, patient_policy, found.patient = parts
    # As select_related attaches them: the institution's rules, or its defaults when it has none.
    institution.booking_policy = booking_policy or BookingPolicy(institution=institution)
    institution.patient_policy = patient_policy or PatientPolicy(institution=institution)
    session.institution = institution
    found.session = session
    return found


# Taking a slot -----------------------------------------------------------------------------------


@cache
def _claim_sql(vendor: str, by_account: bool, chosen: bool) -> str:
    """claim_slot's text, built once per process for each of its four shapes.

    It opens with ``Appointment.objects.limit_counts`` as CTEs (``counts``, columns
    LIMIT_NAMES). The person's and the account's appointments are found first, by their own
    indexes: a MATERIALIZED CTE keeps the planner from starting at the sessions instead (with
    the table's statistics out of date, as at a release after a quiet night, it walked every
    appointment of the institution's sessions that week, for each booking)."""
    holding = ", ".join(["%s"] * len(HOLDING))
    whose = "a.person_key = %s" + (" OR a.booked_by_id = %s" if by_account else "")
    names = LIMIT_NAMES[1:] if by_account else LIMIT_NAMES[1:3]
    under = " AND ".join(f"{name} < %s" for name in names)
    lock = " FOR UPDATE SKIP LOCKED" if not chosen and vendor == "postgresql" else ""
    return (
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
        f" UPDATE {SLOT} SET booked = booked + 1"
        f" WHERE id = (SELECT id FROM {SLOT} WHERE session_id = %s AND booked < capacity"
        f" AND ends_at > %s{' AND id = %s' if chosen else ''} ORDER BY number LIMIT 1{lock})"
        f" AND booked < capacity AND EXISTS (SELECT 1 FROM counts WHERE here = 0 AND {under})"
        f" RETURNING {_columns(Slot, SLOT)}"
    )


def claim_slot(
    session,
    now,
    person_key: str,
    booked_by_id: int | None,
    most: dict[str, int],
    slot_id: int | None = None,
) -> Slot | None:
    """Take one place in the session's first free slot (or in ``slot_id``, if free) and return
    the slot as it is now, if the person (and the WeChat account ``booked_by_id``, given one) is
    within every limit: not booked in this session, and below ``most`` (the most allowed, by
    the names of LIMIT_NAMES after "here"). None when a limit is reached or there was no slot
    to take; only then does the caller count again to say which.

    One ``UPDATE … RETURNING``: the limits, the pick and the claim are one round trip, and the
    slot comes back without a read. For the first free slot PostgreSQL skips slots that other
    bookings in flight have locked (``FOR UPDATE SKIP LOCKED``), so two hundred bookers each
    take a different slot instead of queueing on the first; a booker that finds every free slot
    locked asks for them one by one (``slot_id``), waiting for each (actions/book.py).

    Measured: the ORM's limits aggregate alone cost 5.2 ms of CPU per booking, and the claim
    as a locking read and a conditional update two statements more (RESULTS.md)."""
    by_account, chosen = bool(booked_by_id), slot_id is not None
    day = session.date
    monday = day - timedelta(days=day.weekday())
    adapt = connection.ops.adapt_datefield_value
    names = LIMIT_NAMES[1:] if by_account else LIMIT_NAMES[1:3]
    params = [
        person_key, *([booked_by_id] if by_account else []),
        *[str(status) for status in HOLDING],
        person_key, session.pk, person_key, adapt(day), person_key,
        booked_by_id, adapt(day), booked_by_id,
        session.institution_id, adapt(monday), adapt(monday + timedelta(days=6)),
        session.pk, connection.ops.adapt_datetimefield_value(now),
        *([slot_id] if chosen else []),
        *(most[name] for name in names),
    ]  # fmt: skip
    taken = _rows(_claim_sql(connection.vendor, by_account, chosen), params)
    return _load(Slot, taken[0]) if taken else None


# Taking a place from the pool --------------------------------------------------------------------


class NoPlace(Exception):
    """The pool had no place, or its session was not open for booking: nothing was written."""


@cache
def _claim_place_sql(vendor: str, or_fail: bool = False) -> str:
    """claim_place's text; ``or_fail``: as PlaceClaim sends it with the COMMIT, failing when it
    took nothing (PostgreSQL only)."""
    lock = " FOR SHARE" if vendor == "postgresql" else ""
    sql = (
        f"UPDATE {POOL} SET booked = booked + 1"
        " WHERE session_id = %s AND channel = %s AND booked < capacity"
        f" AND EXISTS (SELECT 1 FROM {SESSION} WHERE id = %s AND status = %s{lock})"
    )
    return f"WITH taken AS ({sql} RETURNING 1) SELECT 1 / COUNT(*) FROM taken" if or_fail else sql


def _claim_place_params(session_id: int, channel: str) -> list:
    return [session_id, channel, session_id, str(SessionStatus.OPEN)]


def claim_place(session_id: int, channel: str) -> bool:
    """Take one place from the channel's pool while the session is open for booking; False
    when the pool is full or the session is not open (look at the session to tell which).

    The session's row is share-locked (PostgreSQL) in the same statement, until the booking
    commits: a suspension committing meanwhile waits for this booking and then tells its patient,
    and one that committed first is seen here and the booking refused. A share lock, so the
    bookings of one session never queue on the session; they queue on the pool's row, the
    session's hottest, which is why this statement is the booking's last before its commit.
    The ORM has no share lock: its ``select_for_update`` on the session would make each booking
    of the session wait for the one before it to commit, one statement more inside that wait."""
    with _cursor() as cursor:
        _execute(
            cursor, _claim_place_sql(connection.vendor), _claim_place_params(session_id, channel)
        )
        return cursor.rowcount == 1


class PlaceClaim:
    """Around a booking's transaction: ``take`` claims the place (``claim_place``) as the
    transaction's last statement, and on PostgreSQL sends it with the COMMIT, in one round trip.

    Every booking of a session waits for the pool's row, from the moment one takes it until it
    commits. With the claim and the COMMIT apart, that was a round trip, and the time the
    booking's thread waited for Python's lock to read the answer: under a release rush, with
    every server thread busy, up to the interpreter's 5 ms switch interval each time. The
    bookings of a 300-place clinic went through the row one at a time, about 6.6 ms each
    (pg_stat_activity sampled through the rush: four to five bookings waiting on the row, one
    holding it "idle in transaction"). Sent together (psycopg's pipeline mode), the row is held
    for the statement and the commit only (sampled again: 1.5 sessions waiting, none holding
    it idle), and the booking rush went from a median of 0.420 of whoami to 0.444 (4 runs each,
    bench/RESULTS.md).

    The answer then comes with the COMMIT, so a claim that found no place must stop the COMMIT
    itself: the statement divides by the number of places taken, and PostgreSQL's "division
    by zero" aborts the transaction, whose COMMIT becomes a rollback; ``__exit__`` turns that
    error into ``NoPlace``. Only the outermost transaction can commit, so inside another one
    (a caller's ``atomic``, a test's), or on SQLite, or behind a pooler in transaction mode,
    ``take`` runs ``claim_place`` and raises ``NoPlace`` at once."""

    def __enter__(self):
        self._pipeline = ExitStack()
        self._sent_with_commit = _prepared() and not connection.in_atomic_block
        return self

    def take(self, session_id: int, channel: str) -> None:
        if not self._sent_with_commit:
            if not claim_place(session_id, channel):
                raise NoPlace()
            return
        connection.ensure_connection()
        self._pipeline.enter_context(connection.connection.pipeline())
        sql = _claim_place_sql("postgresql", or_fail=True)
        with _cursor() as cursor:
            _execute(cursor, sql, _claim_place_params(session_id, channel))

    def __exit__(self, exc_type, exc, tb):
        # Leaving the pipeline with the block's error, so that an error in leaving it is logged
        # (psycopg's "error ignored terminating") rather than raised over a refusal. That
        # happens when psycopg reads the claim's error before the COMMIT's answer (the server
        # sent them apart; in CI once, and 2 in 400 refusals with both cores busy): Django's
        # rollback meets the COMMIT's "pipeline aborted" first, fails, and Django drops the
        # connection, pipeline and all. The server rolled the transaction back; Django has
        # opened another connection.
        self._pipeline.__exit__(exc_type, exc, tb)
        if self._sent_with_commit and exc is not None:
            from psycopg.errors import DivisionByZero

            if isinstance(exc.__cause__, DivisionByZero):
                raise NoPlace() from exc
        return False
