"""Model instances from the columns of a hand-written join, converted exactly as the ORM converts
them (dates and JSON on SQLite, encrypted fields everywhere), for hot paths that read several
related rows in one statement instead of one query each (bench/RESULTS.md)."""

from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections

# Per database connection (each thread has its own), per model: (index, column, converters) of
# the fields whose values need converting. Working them out cost more than the conversions.
_CONVERTERS: WeakKeyDictionary = WeakKeyDictionary()


def columns(model, alias: str = "") -> str:
    """Every concrete column of ``model`` (under the table alias ``alias``, if given), in field
    order: the order ``instance`` expects them back."""
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
