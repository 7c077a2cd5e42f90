from django.urls import include, path

from . import jssdk, views

app_name = "wechat"

urlpatterns = [
    path("<slug:slug>/", views.receive, name="callback"),
    path("<slug:slug>/oauth/", include("carebridge.wechat.oauth_urls")),  # web authorisation
    path("<slug:slug>/jssdk/", jssdk.config_view, name="jssdk"),  # wx.config for H5 pages
]
