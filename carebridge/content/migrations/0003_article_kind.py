# The old "category" (news / notice / education) becomes the article's kind (its tab); the
# name "category" goes to seed 000's five categories, filled in by the next migration.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("content", "0002_alter_article_created_at_alter_article_updated_at"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="article", name="content_article_listing"),
        migrations.RenameField(model_name="article", old_name="category", new_name="kind"),
        migrations.AddField(
            model_name="article",
            name="category",
            field=models.CharField(default="other", max_length=20),
            preserve_default=False,
        ),
    ]
