"""``{{ article|localized:"body"|article_body }}``: the body sanitised again as it is shown, so
no row written outside the forms (a fixture, a shell session) can carry markup we refuse.

The sanitised body is remembered per process under the body itself, so the newest articles
(those being read) are sanitised once per process, not once per view, and an edited body, being
another key, is sanitised and shown at once."""

from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

from ..sanitise import sanitise

register = template.Library()


@register.filter
def article_body(html: str) -> str:
    return mark_safe(_sanitised(html or ""))  # noqa: S308 - nh3's output is the allow-list only


@lru_cache(maxsize=128)
def _sanitised(html: str) -> str:
    return sanitise(html)
