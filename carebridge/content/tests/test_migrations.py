"""The data migration turns plain-text bodies into HTML paragraphs."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("content", "0004_rich_articles")]
AFTER = [("content", "0005_body_html")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_plain_text_bodies_become_escaped_paragraphs():
    old = migrate(BEFORE)
    institution = old.get_model("institutions", "Institution").objects.create(slug="m", name="M")
    old.get_model("content", "Article").objects.create(
        institution_id=institution.pk,
        kind="notice",
        category="other",
        title="停诊",
        body="第一段\n第二行\n\n<b>第二段</b>",
    )
    try:
        new = migrate(AFTER)
        article = new.get_model("content", "Article").objects.get()
        assert article.body == "<p>第一段<br>第二行</p>\n\n<p>&lt;b&gt;第二段&lt;/b&gt;</p>"
        assert article.category == "notices"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
