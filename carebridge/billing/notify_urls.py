"""WeChat Pay's notify_url (Merchant.notify_url), mounted at billing/ (carebridge/urls.py)."""

from django.urls import path

from .views import notify

app_name = "billing_wxpay"

urlpatterns = [
    path("wxpay/notify/<str:mchid>/", notify.wxpay_notify, name="notify"),
]
