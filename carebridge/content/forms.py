from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ArticleKind


class ArticleFilterForm(forms.Form):
    """The list page's query string: ``?category=news|notice|education&page=N``."""

    category = forms.ChoiceField(
        label=_("栏目"),
        required=False,
        choices=[("", _("全部")), *ArticleKind.tabs()],
        error_messages={"invalid_choice": _("没有这个栏目。")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        error_messages={"invalid": _("页码不正确。")},
    )
