"""``{{ article|localized:"body"|article_body }}``: the body sanitised again as it is shown, so
no row written outside the forms (a fixture, a shell session) can carry markup we refuse. The
article page draws it once per version of the article (content/card.py keeps the card)."""

from django import template
from django.utils.safestring import mark_safe

from ..sanitise import sanitise

register = template.Library()


@register.filter
def article_body(html: str) -> str:
    return mark_safe(sanitise(html or ""))  # noqa: S308 - nh3's output is the allow-list only
