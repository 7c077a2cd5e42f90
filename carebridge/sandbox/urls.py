from django.urls import include, path

from . import jssdk

app_name = "sandbox"

urlpatterns = [
    path(
        "wx/", include("carebridge.sandbox.wxapi_urls")
    ),  # WeChat's API server (api.weixin.qq.com)
    path("pay/", include("carebridge.sandbox.wxpay_urls")),  # WeChat Pay (api.mch.weixin.qq.com)
    path("open/", include("carebridge.sandbox.oauth_urls")),  # OAuth2 (open.weixin.qq.com)
    path("jssdk/verify", jssdk.verify, name="jssdk_verify"),  # the JS-SDK stand-in's wx.config
    path("", include("carebridge.sandbox.phone_urls")),  # the phone simulator
]
