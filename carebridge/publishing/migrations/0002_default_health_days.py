"""Every existing institution gets the default health days (new ones get them on creation)."""

from django.db import migrations

from carebridge.publishing.actions.calendar import default_health_days


def seed(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    HealthDay = apps.get_model("publishing", "HealthDay")
    for institution in Institution.objects.all():
        have = set(
            HealthDay.objects.filter(institution=institution).values_list("name", flat=True)
        )
        HealthDay.objects.bulk_create(
            row for row in default_health_days(institution, HealthDay) if row.name not in have
        )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_calendar"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
