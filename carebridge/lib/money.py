"""Money is stored as integer fen and shown and typed as yuan: staff type ``12.5`` and the row
holds 1250; a list shows ``¥12.50``.

- ``YuanField``: the form field (yuan in, fen out), refusing more than two decimals, negative
  amounts and more than ``max_yuan`` with a form error that says so;
- ``YuanAdmin``: a ModelAdmin mixin giving the model's fen fields named in ``yuan_fields`` a
  ``YuanField``;
- ``yuan_column``: a list column or read-only field showing a fen field as ``¥12.50``.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
# Far above any fee a clinic charges, far below what an integer column holds: a value past it
# is a typing slip (fen typed as yuan), not a price.
DEFAULT_MAX_YUAN = Decimal("100000")


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def format_yuan(fen) -> str:
    """1250 → "¥12.50"; None → ""."""
    if fen is None or fen == "":
        return ""
    return f"¥{fen_to_yuan(fen)}"


class YuanField(forms.DecimalField):
    """Yuan typed with at most two decimals (``12.5``, ``¥12.50``, ``12元``); cleans to fen.

    Its initial value is the model's fen (an ``int``), shown as yuan."""

    default_error_messages = {
        "invalid": _("请输入以元为单位的金额,如 12.50"),
        "max_decimal_places": _("金额最多两位小数(精确到分)"),
        "min_value": _("金额不能为负数"),
        "max_value": _("金额不能超过 %(limit_value)s 元"),
    }

    def __init__(self, *, max_yuan: Decimal = DEFAULT_MAX_YUAN, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))
        kwargs.setdefault("help_text", _("单位:元,如 12.50"))
        super().__init__(
            min_value=Decimal(0), max_value=max_yuan, decimal_places=2, max_digits=None, **kwargs
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lstrip("¥￥").rstrip("元").strip()
        value = super().to_python(value)
        # 12.500 is 12.50: only digits that are not zeros count against the two decimals.
        return value.normalize() if value is not None and value.is_finite() else value

    def clean(self, value):
        yuan = super().clean(value)
        return None if yuan is None else int(yuan * 100)

    def prepare_value(self, value):
        if isinstance(value, int):  # the stored fen; a string is what was typed
            return fen_to_yuan(value)
        return value

    def has_changed(self, initial, data):
        try:
            typed = self.clean(data) if data not in self.empty_values else None
        except forms.ValidationError:
            return True
        return typed != (None if initial in self.empty_values else int(initial))


class YuanAdmin:
    """ModelAdmin mixin: ``yuan_fields = {"fee": _("挂号费(元)")}`` edits those fen fields in
    yuan, under the given labels."""

    yuan_fields: dict = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        label = self.yuan_fields.get(db_field.name)
        if label is None:
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        return YuanField(label=label, required=not db_field.blank)


def yuan_column(field: str, description):
    """An admin display method showing the fen field ``field`` as ``¥12.50``, sorted by it::

    fee_yuan = yuan_column("fee", _("挂号费"))"""

    @admin.display(description=description, ordering=field)
    def column(model_admin, obj):
        return format_yuan(getattr(obj, field))

    return column
