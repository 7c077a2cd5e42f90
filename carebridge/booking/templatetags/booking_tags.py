from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen → "14.00" (money is stored as fen everywhere)."""
    try:
        return f"{int(fen) / 100:.2f}"
    except (TypeError, ValueError):
        return ""
