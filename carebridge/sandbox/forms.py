"""Input of the phone simulator and the sandbox's authorisation pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SandboxUser


class ChooseUserForm(forms.Form):
    """An existing simulated user (``openid``) or a new one (``nickname``)."""

    openid = forms.CharField(required=False, max_length=64)
    nickname = forms.CharField(required=False, max_length=32, strip=True)

    def __init__(self, *args, app_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.app_id = app_id

    def clean(self):
        data = super().clean()
        openid, nickname = data.get("openid"), data.get("nickname")
        if openid:
            user = SandboxUser.objects.filter(app_id=self.app_id, openid=openid).first()
            if user is None:
                raise forms.ValidationError(_("没有这个模拟用户"))
            data["user"] = user
        elif nickname:
            data["user"] = None
        else:
            raise forms.ValidationError(_("请选择一个用户，或输入昵称新建一个"))
        return data


class NicknameForm(forms.Form):
    nickname = forms.CharField(max_length=32, strip=True, label=_("昵称"))


class SendForm(forms.Form):
    """A message typed on the phone: text, a location or a voice message (its recognition)."""

    KINDS = (("text", "text"), ("location", "location"), ("voice", "voice"))
    kind = forms.ChoiceField(choices=KINDS)
    content = forms.CharField(required=False, max_length=2000, strip=True)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    label = forms.CharField(required=False, max_length=100, strip=True)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("text", "voice") and not data.get("content"):
            raise forms.ValidationError(_("请输入内容"))
        if kind == "location" and (data.get("latitude") is None or data.get("longitude") is None):
            raise forms.ValidationError(_("位置需要经纬度"))
        return data

    def message_fields(self) -> dict:
        """The fields WeChat puts in the callback for this message."""
        data = self.cleaned_data
        if data["kind"] == "text":
            return {"MsgType": "text", "Content": data["content"]}
        if data["kind"] == "voice":
            return {
                "MsgType": "voice",
                "MediaId": "sandbox-voice",
                "Format": "amr",
                "Recognition": data["content"],
            }
        return {
            "MsgType": "location",
            "Location_X": f"{data['latitude']:.6f}",
            "Location_Y": f"{data['longitude']:.6f}",
            "Scale": "15",
            "Label": data["label"],
        }


class FollowForm(forms.Form):
    """Follow, optionally by scanning a QR code (a ticket, or a scene of the account)."""

    scene = forms.CharField(required=False, max_length=64)
    ticket = forms.CharField(required=False, max_length=255)


class MenuTapForm(forms.Form):
    """Which button was tapped: "2" (a top button) or "2.1" (its second sub-button)."""

    path = forms.RegexField(regex=r"^[0-2](\.[0-4])?$", max_length=3)
