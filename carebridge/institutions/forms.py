from django import forms
from django.utils.translation import gettext_lazy as _

from .search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """Search box of the About pages. Django's CharField already refuses NUL characters
    (which PostgreSQL cannot store or compare); the length cap keeps queries cheap."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "weui-search-bar__input",
                "placeholder": _("医生、科室、拼音或擅长"),
                "autocomplete": "off",
            }
        ),
        error_messages={"max_length": _("搜索词最多 %(limit_value)d 个字。")},
    )


class ElderModeForm(forms.Form):
    """The elder-mode switch: which pages the user wants, and the page to go back to."""

    mode = forms.ChoiceField(
        label=_("页面模式"),
        choices=[("elder", _("长辈版")), ("standard", _("标准版"))],
        error_messages={
            "required": _("请选择长辈版或标准版。"),
            "invalid_choice": _("请选择长辈版或标准版。"),
        },
    )
    # Where to go back to: checked by the view (a page of the same account, else its home page).
    next = forms.CharField(required=False)
