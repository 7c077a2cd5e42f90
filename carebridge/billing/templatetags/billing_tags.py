from django import template

from carebridge.lib.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """1250 → "¥12.50" (money is stored in fen)."""
    return format_yuan(fen)


@register.filter
def quantity(value) -> str:
    """2.000 → "2", 0.500 → "0.5"."""
    return format(value.normalize(), "f") if value is not None else ""


@register.filter
def signed_yuan(fen) -> str:
    """A ledger amount: 1250 → "+¥12.50", -1250 → "-¥12.50"."""
    if fen is None or fen == "":
        return ""
    return ("+" if fen > 0 else "-") + format_yuan(abs(fen))
