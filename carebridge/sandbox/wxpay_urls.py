"""WeChat Pay's API server (api.mch.weixin.qq.com) as the sandbox plays it, at /sandbox/pay/."""

from django.urls import path

from .wxpay import transactions

urlpatterns: list = [
    path("v3/pay/transactions/jsapi", transactions.jsapi),
    path("v3/pay/transactions/out-trade-no/<str:out_trade_no>", transactions.query),
    path("v3/pay/transactions/out-trade-no/<str:out_trade_no>/close", transactions.close),
]
