"""WeChat Pay's notify_url (Merchant.notify_url), mounted at billing/ (carebridge/urls.py)."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("wxpay/notify/<str:mchid>/", views.wxpay_notify, name="wxpay_notify"),
]
