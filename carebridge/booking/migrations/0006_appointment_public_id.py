import uuid

from django.db import migrations, models


def give_public_ids(apps, schema_editor):
    """Each existing appointment its own random public id (a column default would give every
    row the same one)."""
    Appointment = apps.get_model("booking", "Appointment")
    for pk in Appointment.objects.filter(public_id=None).values_list("pk", flat=True).iterator():
        Appointment.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0005_policy_cancellation_template"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="公开编号"),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appointment",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="公开编号"
            ),
        ),
    ]
