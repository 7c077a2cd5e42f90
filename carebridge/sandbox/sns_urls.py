"""/sandbox/wx/sns/…: WeChat's web-authorisation API (code exchange, refresh, userinfo)."""

from django.urls import path

from . import sns

urlpatterns = [
    path("oauth2/access_token", sns.access_token, name="sns_access_token"),
    path("oauth2/refresh_token", sns.refresh_token, name="sns_refresh_token"),
    path("userinfo", sns.userinfo, name="sns_userinfo"),
    path("auth", sns.auth, name="sns_auth"),
]
