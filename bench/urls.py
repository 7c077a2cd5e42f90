"""Baseline endpoints the benchmarks compare the real handlers with (never used in production):

- /bench/echo/<slug>/: verifies, decrypts, parses and answers an encrypted echo with the same
  library as the WeChat callback, and does nothing else (bench/callback.py);
- /bench/wxpay/verify/<mchid>/: finds the merchant, verifies and decrypts a WeChat Pay
  notification with the same client as billing's notify_url, and answers 204 (bench/payments.py).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from carebridge.billing.models import Merchant
from carebridge.billing.notifications import notification_client, read_notification
from carebridge.billing.wxpay import NotTrusted
from carebridge.institutions.models import WeChatAccount
from carebridge.urls import urlpatterns as project_urls
from carebridge.wechat import callback, xml


@csrf_exempt
def echo(request, slug):
    account = get_object_or_404(WeChatAccount, slug=slug)
    creds = account.credentials
    try:
        inbound = callback.unwrap(creds, request.GET, request.body)
    except callback.Rejected as exc:
        return HttpResponse(exc.reason, status=exc.status)
    message = inbound.message
    reply = xml.text_reply(message["FromUserName"], message["ToUserName"], message["Content"])
    return HttpResponse(
        callback.wrap(creds, reply, inbound.encrypted), content_type="application/xml"
    )


@csrf_exempt
def wxpay_verify(request, mchid):
    merchant = Merchant.objects.filter(mchid=mchid).first()
    if merchant is None:
        return HttpResponse(status=404)
    try:
        read_notification(notification_client(merchant), request.headers, request.body)
    except NotTrusted:
        return HttpResponse(status=401)
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/echo/<slug:slug>/", echo),
    path("bench/wxpay/verify/<str:mchid>/", wxpay_verify),
    *project_urls,
]
