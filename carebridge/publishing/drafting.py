"""The one place the calendar creates an article in the content app.

The content app's workflow is being reworked (branch content-workflow: departments, states,
assignees); this function uses only the fields Article has today, so adapting to the new
model means changing these few lines.
"""

from carebridge.content.models import Article, ArticleCategory

from .occasions import Kind

# Holidays bring notices (clinic hours over the break); events are hospital news; the rest
# is health education.
CATEGORY = {Kind.HOLIDAY: ArticleCategory.NOTICE, Kind.EVENT: ArticleCategory.NEWS}


def create_draft_article(institution, occasion, topic: str, department) -> Article:
    """An unpublished article for ``topic``, written for ``occasion`` by ``department``."""
    return Article.objects.create(
        institution=institution,
        category=CATEGORY.get(occasion.kind, ArticleCategory.EDUCATION),
        title=topic,
        summary=f"{occasion.name} · {department.name}",
        body="",
        is_published=False,
    )
