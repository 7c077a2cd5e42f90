"""WeChat Pay's API server (api.mch.weixin.qq.com) as the sandbox plays it, at /sandbox/pay/,
and the phone's scanner for Native orders (not WeChat Pay's API: the payer's side)."""

from django.urls import path

from .wxpay import bills, refunds, transactions

urlpatterns: list = [
    path("v3/pay/transactions/jsapi", transactions.jsapi),
    path("v3/pay/transactions/native", transactions.native),
    path("v3/pay/transactions/out-trade-no/<str:out_trade_no>", transactions.query),
    path("v3/pay/transactions/out-trade-no/<str:out_trade_no>/close", transactions.close),
    path("v3/refund/domestic/refunds", refunds.create),
    path("v3/refund/domestic/refunds/<str:out_refund_no>", refunds.query),
    path("v3/bill/tradebill", bills.tradebill),
    path("v3/billdownload/file", bills.download),
    path("scan", transactions.scan, name="pay_scan"),
]
