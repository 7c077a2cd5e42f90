"""The back office's article forms: the body is sanitised, images re-encoded, and the category
suggested from the text when the editor leaves it empty (then confirmed by saving again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .categorise import suggest_category
from .images import reencode
from .models import Article, ArticleCategory, ArticleImage, ArticleKind
from .sanitise import sanitise


class ArticleForm(forms.ModelForm):
    category = forms.ChoiceField(
        label=_("分类"),
        required=False,
        choices=[("", _("根据正文建议")), *ArticleCategory.choices],
        error_messages={"invalid_choice": _("没有这个分类。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Doctor-profile updates are proposed from the doctor, not written as articles.
        if "kind" in self.fields:  # absent from a read-only form
            kind = self.fields["kind"]
            kind.choices = [c for c in kind.choices if c[0] != ArticleKind.DOCTOR_PROFILE]

    class Meta:
        model = Article
        fields = [
            "institution", "kind", "category", "department", "title", "summary", "cover",
            "body", "tags", "author", "is_published", "published_at",
            "title_en", "summary_en", "body_en",
        ]  # fmt: skip

    def clean_body(self):
        return sanitise(self.cleaned_data["body"])

    def clean_body_en(self):
        return sanitise(self.cleaned_data.get("body_en", ""))

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if cover and hasattr(cover, "content_type"):  # a new upload, not the stored file
            return reencode(cover, "cover")
        return cover

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("category") and "body" in cleaned:
            suggestion = suggest_category(cleaned.get("title", ""), cleaned["body"])
            # Shown again with the suggestion selected: saving once more confirms it.
            self.data = self.data.copy()
            self.data[self.add_prefix("category")] = suggestion.value
            self.add_error(
                "category",
                _("请确认分类:根据正文建议「%(label)s」,可修改后再保存。")
                % {"label": suggestion.label},
            )
        return cleaned


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["image", "caption"]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):
            return reencode(image, "body")
        return image
