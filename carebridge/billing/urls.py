"""The patient pages of billing, mounted at h5/<slug:slug>/ (carebridge/urls.py): 个人中心,
我的服务单 (its ?status=unpaid is the menu's 门诊缴费), one order, its pay page and status."""

from django.urls import path

from .views import pages, pay

app_name = "billing"

urlpatterns = [
    path("me/", pages.me, name="me"),
    path("orders/", pages.order_list, name="orders"),
    path("orders/<str:out_trade_no>/", pages.order_detail, name="order"),
    path("orders/<str:out_trade_no>/pay/", pay.pay, name="pay"),
    path("orders/<str:out_trade_no>/status", pay.status, name="status"),
]
