"""Adds /bench/echo/<slug>/: the minimal handler the real callback is compared with. It verifies,
decrypts, parses and answers an encrypted echo with the same library, and does nothing else."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

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


urlpatterns = [path("bench/echo/<slug:slug>/", echo), *project_urls]
