"""Rows of the booking rush's hot path without the ORM's query building, which cost several times
the statements themselves there (bench/RESULTS.md): model instances from the columns of a
hand-written join, converted exactly as the ORM converts them (dates and JSON on SQLite,
encrypted fields everywhere), and a new row inserted as ``save()`` would insert it."""

from functools import cache
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

# Per database connection (each thread has its own), per model: (index, column, converters) of
# the fields whose values need converting. Working them out cost more than the conversions.
_CONVERTERS: WeakKeyDictionary = WeakKeyDictionary()


@cache
def columns(model, alias: str = "") -> str:
    """Every concrete column of ``model`` (under the table alias ``alias``, if given), in field
    order: the order ``instance`` expects them back. Worked out once: quoting a hundred names
    on every request showed in the booking's profile."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + quote(f.column) for f in model._meta.concrete_fields)


def _converters(connection, model) -> list:
    per_model = _CONVERTERS.setdefault(connection, {})
    if model not in per_model:
        found = []
        for index, field in enumerate(model._meta.concrete_fields):
            col = field.get_col(model._meta.db_table)
            funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if funcs:
                found.append((index, col, funcs))
        per_model[model] = found
    return per_model[model]


def instance(model, values):
    """``model`` built from ``values`` (its ``columns``), as a query would load it; None when its
    primary key is NULL (a LEFT JOIN that found no row)."""
    fields = model._meta.concrete_fields
    if len(values) != len(fields):
        raise ValueError(f"{model.__name__} has {len(fields)} columns, not {len(values)}")
    if values[fields.index(model._meta.pk)] is None:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    values = list(values)
    for index, col, funcs in _converters(connection, model):
        for convert in funcs:
            values[index] = convert(values[index], col, connection)
    return model.from_db(connection.alias, None, values)


def instances(row, *models) -> list:
    """One instance (or None) per model, from ``row``: the models' ``columns``, one after the
    other."""
    out = []
    for model in models:
        width = len(model._meta.concrete_fields)
        out.append(instance(model, row[:width]))
        row = row[width:]
    if row:
        raise ValueError(f"{len(row)} columns left over")
    return out


def insert(obj) -> None:
    """INSERT the new ``obj`` as ``obj.save(force_insert=True)`` would: the fields' pre-save
    values (``auto_now_add``…) prepared by each field for the database, the primary key read
    back with RETURNING (PostgreSQL, SQLite 3.35+). Anything else goes through ``save()``, so
    nothing is skipped: a model with a ``save()`` of its own, save signals connected, a parent
    model or generated columns, or an object whose primary key is already set."""
    model = type(obj)
    if not plain(model) or obj.pk is not None:
        obj.save(force_insert=True)
        return
    fields, sql = _insert_statement(model)
    connection = connections[DEFAULT_DB_ALIAS]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted(obj, cursor.fetchone()[0])


def plain(model) -> bool:
    """Whether a row of ``model`` may be written by hand: ``save()`` would do nothing more than
    INSERT it (no ``save()`` of its own, no save signals connected, no parent model, no
    generated columns)."""
    meta = model._meta
    return not (
        model.save is not Model.save
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
        or meta.parents
        or any(f.generated for f in meta.local_concrete_fields)
    )


def inserted(obj, pk) -> None:
    """Mark ``obj`` as saved, under the primary key its INSERT returned."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


def insert_select(obj, source: str, expressions: dict[str, str]) -> tuple[str, list]:
    """``INSERT … SELECT … FROM source RETURNING`` the primary key, for a data-modifying CTE
    (PostgreSQL): one row of the new ``obj`` per row of ``source``, its columns the values
    ``insert`` would write, except the fields named in ``expressions`` (field name -> SQL over
    ``source``). Each value is cast to its column's type: a parameter in a SELECT list has none
    of its own. Returns the SQL and its parameters; ``plain(type(obj))`` must hold."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields = _insert_select_statement(type(obj), source, tuple(expressions.items()))
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@cache
def _insert_select_statement(model, source: str, expressions: tuple) -> tuple[str, list]:
    """The SQL of ``insert_select`` and the fields whose values are its parameters, in order."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    given = dict(expressions)
    fields, _sql = _insert_statement(model)
    values = [given.get(f.name) or f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields]
    meta = model._meta
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" SELECT {', '.join(values)} FROM {source} RETURNING {quote(meta.pk.column)}"
    )
    return sql, [f for f in fields if f.name not in given]


@cache
def _insert_statement(model) -> tuple[list, str]:
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}"
    )
    return fields, sql
