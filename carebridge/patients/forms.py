"""Forms of the H5 pages. Field checks live in validation.py and the actions; a form only
collects input and shows each refusal beside its field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import validation
from .actions import PatientDetails
from .choices import IdType, Relation, Sex


class WeUIForm(forms.Form):
    """Gives every widget WeUI's class, so the templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "weui-select" if isinstance(field.widget, forms.Select) else "weui-input"
            field.widget.attrs.setdefault("class", css)


class PatientForm(WeUIForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("身份证或社保卡号可自动识别，无需填写"),
    )
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", _("请选择"))] + Sex.choices
    )
    phone = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    code = forms.CharField(
        label=_("短信验证码"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    card_number = forms.CharField(label=_("就诊卡号"), required=False, max_length=32)
    relation = forms.ChoiceField(label=_("与本人关系"), choices=Relation.choices)

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        # Offer only the documents this institution accepts; a forged value is still refused
        # by the policy check, with a message that names the accepted ones.
        self.fields["id_type"].widget.choices = policy.accepted_id_type_choices()
        if not policy.require_phone_verification:
            del self.fields["code"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.details = PatientDetails(
                name=data["name"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                phone=data["phone"],
                relation=data["relation"],
                birth_date=data.get("birth_date"),
                sex=data.get("sex") or "",
                card_number=data.get("card_number") or "",
            ).cleaned()
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
        return data


class PatientEditForm(WeUIForm):
    relation = forms.ChoiceField(label=_("与本人关系"), choices=Relation.choices)
    new_phone = forms.CharField(
        label=_("新手机号"),
        required=False,
        max_length=20,
        help_text=_("不修改请留空"),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    code = forms.CharField(
        label=_("短信验证码"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    new_card_number = forms.CharField(
        label=_("新就诊卡号"), required=False, max_length=32, help_text=_("不修改请留空")
    )

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        if not policy.require_phone_verification:
            del self.fields["code"]

    def clean_new_phone(self):
        value = self.cleaned_data["new_phone"]
        return validation.normalize_phone(value) if value else ""

    def clean_new_card_number(self):
        return validation.normalize_card_number(self.cleaned_data["new_card_number"])


def phone_for_code(data) -> str:
    """The phone a "send code" button refers to: the new phone on the edit page, else phone."""
    return validation.normalize_phone(data.get("new_phone") or data.get("phone") or "")
