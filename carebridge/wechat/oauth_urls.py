"""/wechat/<slug>/oauth/…: web authorisation for H5 pages."""

from django.urls import path

from . import oauth

urlpatterns = [
    path("start", oauth.start, name="oauth_start"),
    path("callback", oauth.callback, name="oauth_callback"),
    path("me", oauth.me, name="oauth_me"),
]
