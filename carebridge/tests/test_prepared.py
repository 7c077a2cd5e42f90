"""lib.prepared: hot statements planned once per PostgreSQL connection."""

import pytest
from django.db import connection

from carebridge.lib import prepared
from carebridge.patients.models import PatientPolicy

pytestmark = pytest.mark.django_db

SQL = f"SELECT max_age FROM {PatientPolicy._meta.db_table} WHERE institution_id = %s AND %s"
UPDATE = f"UPDATE {PatientPolicy._meta.db_table} SET max_age = %s WHERE institution_id = %s"


def _run(sql, params):
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _prepared_here() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'cb_%%'")
        return cursor.fetchone()[0]


def test_placeholders_are_numbered_and_a_literal_percent_is_refused():
    assert prepared._numbered("a = %s AND b IN (%s, %s)") == "a = $1 AND b IN ($2, $3)"
    with pytest.raises(ValueError):
        prepared._numbered("name LIKE 'x%%' AND id = %s")


def test_the_statement_answers_as_if_it_were_run_directly(hospital):
    PatientPolicy.objects.create(institution=hospital, max_age=18)
    assert _run(SQL, [hospital.pk, True]) == [(18,)]
    assert _run(SQL, [hospital.pk, False]) == []
    assert _run(SQL, [-1, True]) == []
    assert _run(UPDATE, [14, hospital.pk]) == 1  # the row count of the statement executed
    assert _run(UPDATE, [None, -1]) == 0
    assert PatientPolicy.objects.get().max_age == 14


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")
def test_a_statement_is_prepared_once_per_connection(hospital):
    sql, update = SQL + " AND 1 = 1", UPDATE + " AND 1 = 1"  # texts no other test prepared
    before = _prepared_here()
    for _ in range(3):
        _run(sql, [hospital.pk, True])
    assert _prepared_here() == before + 1
    _run(update, [1, hospital.pk])
    assert _prepared_here() == before + 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
def test_a_prepared_statement_runs_its_generic_plan_from_the_first_execution(hospital):
    PatientPolicy.objects.create(institution=hospital, max_age=18)
    _run(SQL, [hospital.pk, True])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements"
            " WHERE name LIKE 'cb_%%'"
        )
        generic, custom = cursor.fetchone()
    assert generic >= 1 and custom == 0  # planned afresh for none of their executions
