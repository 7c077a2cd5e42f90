from django.db import migrations, models
from django.db.models import Exists, OuterRef

ABNORMAL = ["H", "L", "A", "HH", "LL", "AA"]  # Flag.abnormal() when this was written


def mark_abnormal(apps, schema_editor):
    """The versions received before the field: one with an item flagged other than N."""
    version = apps.get_model("results", "ReportVersion")
    observation = apps.get_model("results", "Observation")
    flagged = observation.objects.filter(version=OuterRef("pk"), flag__in=ABNORMAL)
    version.objects.filter(Exists(flagged)).update(abnormal=True)


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0003_results_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportversion",
            name="abnormal",
            field=models.BooleanField(default=False, verbose_name="含异常结果"),
        ),
        migrations.RunPython(mark_abnormal, migrations.RunPython.noop),
    ]
