"""Hot statements planned once per database connection (PostgreSQL's PREPARE / EXECUTE).

Django sends each query as text with its values written in, so PostgreSQL plans it again on
every call. For the booking's opening read, a seven-table join, planning cost 0.9 ms against
0.3 ms of execution, on every request of a release rush (bench/RESULTS.md). A statement run
through ``execute`` is prepared the first time a connection sees it, under a name derived from
its text, and executed by name after that; PostgreSQL keeps a generic plan once it finds one as
good as planning each call afresh. Prepared statements belong to the database session, so this
assumes a connection of our own (not a transaction-pooling proxy such as PgBouncer in
transaction mode). On SQLite, whose planning is cheap, the statement is simply run."""

import hashlib
import re
from weakref import WeakKeyDictionary

from django.db import connection

# The raw driver connection (a reconnect is a new one) -> names prepared on it.
_PREPARED: WeakKeyDictionary = WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%s")


def _numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1``, ``$2``…"""
    if "%%" in sql:
        raise ValueError("a prepared statement cannot contain a literal %")
    count = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda _match: f"${next(count)}", sql)


def execute(cursor, sql: str, params: list) -> None:
    """Run ``sql`` with ``params`` on ``cursor`` (a Django cursor), prepared once per connection
    on PostgreSQL."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name = "cb_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    names = _PREPARED.setdefault(connection.connection, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        names.add(name)
    if params:
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")
