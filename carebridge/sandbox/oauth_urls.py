"""/sandbox/open/…: WeChat's web-authorisation pages (open.weixin.qq.com)."""

from django.urls import path

from . import oauth

urlpatterns = [
    path("connect/oauth2/authorize", oauth.authorize, name="oauth_authorize"),
    path("connect/oauth2/choose", oauth.choose_user, name="oauth_choose"),
]
