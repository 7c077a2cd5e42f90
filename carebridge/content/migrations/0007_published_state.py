# Articles published before the workflow existed are in its last state.

from django.db import migrations


def mark_published(apps, schema_editor):
    Article = apps.get_model("content", "Article")
    Article.objects.filter(is_published=True).update(state="published")


class Migration(migrations.Migration):

    dependencies = [("content", "0006_workflow")]

    operations = [migrations.RunPython(mark_published, migrations.RunPython.noop)]
