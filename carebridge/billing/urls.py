"""The patient's billing pages, mounted under h5/<slug>/ (carebridge/urls.py): 个人中心,
我的服务单 (its ?status=unpaid lists the orders awaiting payment), one order, its pay page and
status; 门诊缴费 (the HIS's bills) and 预交金 (the deposit)."""

from django.urls import path

from .views import bills, deposit, pages, pay

app_name = "billing"

urlpatterns = [
    path("me/", pages.me, name="me"),
    path("orders/", pages.order_list, name="orders"),
    path("orders/<str:out_trade_no>/", pages.order_detail, name="order"),
    path("orders/<str:out_trade_no>/pay/", pay.pay, name="pay"),
    path("orders/<str:out_trade_no>/status", pay.status, name="status"),
    path("bills/", bills.bill_list, name="bills"),
    path("bills/pay/", bills.pay, name="pay_bills"),
    path("deposit/", deposit.deposit, name="deposit"),
    path("deposit/top-up/", deposit.top_up, name="deposit_top_up"),
    path("deposit/refund/", deposit.refund, name="deposit_refund"),
]
