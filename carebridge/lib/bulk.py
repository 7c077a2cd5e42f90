"""One UPDATE for many rows that each take values of their own, written by hand.

``QuerySet.bulk_update`` sends the same single statement, but builds an ORM expression for every
row and field first: at a batch of 50 rows that cost the outbox worker more CPU than everything
else it did for the batch (bench/booking_profile.py --worker). Values are adapted exactly as
the ORM adapts them for a save (JSON, aware datetimes on SQLite), and on PostgreSQL each CASE is
cast to its column's type, as Django's own bulk_update casts it.
"""

from django.db import connection


def update_rows(model, rows: dict, **same) -> int:
    """``UPDATE <model> SET f = CASE pk WHEN … THEN … END, …, g = <same> WHERE pk IN (…)``.

    ``rows`` maps each primary key to ``{field name: value}`` (the same fields for every row);
    ``same`` gives fields that take one value in all of them. Returns the number of rows updated.
    """
    if not rows:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    pk = quote(meta.pk.column)
    ids = list(rows)
    assignments, params = [], []
    for name in next(iter(rows.values())):
        field = meta.get_field(name)
        whens = []
        for key in ids:
            whens.append("WHEN %s THEN %s")
            params += [key, field.get_db_prep_save(rows[key][name], connection)]
        case = f"CASE {pk} {' '.join(whens)} END"
        if connection.features.requires_casted_case_in_updates:
            case = f"CAST({case} AS {field.cast_db_type(connection)})"
        assignments.append(f"{quote(field.column)} = {case}")
    for name, value in same.items():
        field = meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} WHERE {pk} IN ({marks})",
            params + ids,
        )
        return cursor.rowcount
