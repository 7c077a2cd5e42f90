"""The patient's consultation form: a question and, optionally, which of the account's
patients it is about (any other id is a form error, never a 500 or someone else's patient)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions.consultations import QUESTION_MAX


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (Django's documented pattern); checked by the action."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", PhotosInput(attrs={"accept": "image/*", "class": "weui-input"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(PhotosField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class AskForm(forms.Form):
    patient = forms.TypedChoiceField(
        label=_("就诊人"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "weui-select"}),
    )
    question = forms.CharField(
        label=_("您的问题"),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"class": "weui-textarea", "rows": 5}),
        help_text=_("请写明症状、持续时间和想咨询的事，不要填写身份证号等信息。"),
    )
    photos = PhotosField(label=_("照片（可选，最多3张）"), required=False)

    def __init__(self, data=None, patients=(), files=None):
        super().__init__(data, files)
        self.patients = {p.pk: p for p in patients}
        self.fields["patient"].choices = [("", _("不指定"))] + [(p.pk, p.name) for p in patients]

    def chosen_patient(self):
        return self.patients.get(self.cleaned_data.get("patient"))
