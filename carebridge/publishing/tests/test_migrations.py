"""The data migration gives institutions that existed before the app its default health days."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from carebridge.publishing.defaults import DEFAULT_HEALTH_DAYS
from carebridge.publishing.models import HealthDay


@pytest.mark.django_db(transaction=True)
def test_existing_institutions_get_the_default_health_days(hospital):
    before = ("publishing", "0001_calendar")
    after = ("publishing", "0002_default_health_days")
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        MigrationExecutor(connection).migrate([before])
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        old.get_model("publishing", "HealthDay").objects.all().delete()  # as before the app
        MigrationExecutor(connection).migrate([after])
    finally:
        MigrationExecutor(connection).migrate(leaves)
    names = set(HealthDay.objects.filter(institution=hospital).values_list("name", flat=True))
    assert names == {row[0] for row in DEFAULT_HEALTH_DAYS}
