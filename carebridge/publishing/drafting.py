"""The one place the calendar creates an article in the content app: a draft in the
editorial workflow (content's ``assign_draft``, so it is logged and the department's editors
are told), assigned to the department, due on the plan's due date, tagged with the occasion so
next year's calendar finds it."""

from datetime import datetime, time

from django.utils import timezone

from carebridge.content.actions import assign_draft
from carebridge.content.choices import ArticleCategory, ArticleKind
from carebridge.content.models import Article

from .occasions import Kind

# Holidays bring notices (clinic hours over the break); events are hospital news; the rest
# is health education.
KIND = {Kind.HOLIDAY: ArticleKind.NOTICE, Kind.EVENT: ArticleKind.NEWS}
CATEGORY = {Kind.HOLIDAY: ArticleCategory.NOTICES, Kind.EVENT: ArticleCategory.OPERATIONS}


def create_draft_article(
    institution, occasion, topic: str, department, due_date=None, user=None
) -> Article:
    """An unpublished draft for ``topic``, to be written for ``occasion`` by ``department``."""
    due_at = None
    if due_date is not None:
        due_at = timezone.make_aware(datetime.combine(due_date, time(18, 0)))
    return assign_draft(
        user,
        institution,
        department,
        due_at=due_at,
        kind=KIND.get(occasion.kind, ArticleKind.EDUCATION),
        category=CATEGORY.get(occasion.kind, ArticleCategory.HEALTH_KNOWLEDGE),
        title=topic[:120],
        summary=f"{occasion.name} · {department.name}"[:300],
        tags=str(occasion.name)[:200],
        body="",
    )
