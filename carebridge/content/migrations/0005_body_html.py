# Bodies were plain text (blank lines between paragraphs); they become HTML paragraphs, escaped
# as the old page escaped them. Each article gets the category its kind most likely means;
# editors can change it.

from django.db import migrations
from django.utils.html import linebreaks

CATEGORY_OF_KIND = {"news": "operations", "notice": "notices", "education": "health"}


def to_html(apps, schema_editor):
    Article = apps.get_model("content", "Article")
    for article in Article.objects.only("id", "kind", "body", "body_en").iterator():
        article.body = linebreaks(article.body, autoescape=True)
        article.body_en = linebreaks(article.body_en, autoescape=True) if article.body_en else ""
        article.category = CATEGORY_OF_KIND.get(article.kind, "other")
        article.save(update_fields=["body", "body_en", "category"])


class Migration(migrations.Migration):

    dependencies = [("content", "0004_rich_articles")]

    operations = [migrations.RunPython(to_html, migrations.RunPython.noop)]
