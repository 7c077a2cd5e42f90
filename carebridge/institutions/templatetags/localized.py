"""``{{ doctor|localized:"name" }}``: the English field when English is active and filled in,
the Chinese one otherwise (Chinese is the source of truth; translations may lag)."""

from django import template
from django.utils.translation import get_language

register = template.Library()


def localized(obj, field: str):
    if (get_language() or "").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field)


register.filter("localized", localized)
