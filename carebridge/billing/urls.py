"""The patient's billing pages, mounted under h5/<slug>/ (carebridge/urls.py)."""

from django.urls import path

from .views import bills, deposit

app_name = "billing"

urlpatterns = [
    path("bills/", bills.bill_list, name="bills"),
    path("bills/pay/", bills.pay, name="pay_bills"),
    path("deposit/", deposit.deposit, name="deposit"),
    path("deposit/top-up/", deposit.top_up, name="deposit_top_up"),
    path("deposit/refund/", deposit.refund, name="deposit_refund"),
]
