"""The JS-SDK as the sandbox plays it: the stand-in script (static/sandbox/jweixin.js, a static
file: settings.WECHAT_JSSDK_SCRIPT) and the check of its wx.config, the one WeChat makes: the
signature must be the SHA-1 of ``jsapi_ticket=…&noncestr=…&timestamp=…&url=…`` with one of the
account's valid tickets, for a page on the account's JS safe domain (SITE_URL's host here).
Written apart from carebridge.wechat.jssdk on purpose: the check must not share the code it
checks."""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .guard import sandbox_only
from .registry import account_for
from .wxapi.tokens import valid_tickets


def _signed(ticket: str, form) -> str:
    url = form.get("url", "").split("#", 1)[0]
    text = "jsapi_ticket={}&noncestr={}&timestamp={}&url={}".format(
        ticket, form.get("nonceStr", ""), form.get("timestamp", ""), url
    )
    return hashlib.sha1(text.encode()).hexdigest()


@sandbox_only
@csrf_exempt  # the stand-in calls it as jweixin calls WeChat: no cookie, no token
@require_POST
def verify(request):
    form = request.POST
    app_id = form.get("appId", "")
    if not app_id or account_for(app_id) is None:
        return JsonResponse({"errMsg": "config:invalid appid"})
    if urlsplit(form.get("url", "")).netloc != urlsplit(settings.SITE_URL).netloc:
        return JsonResponse({"errMsg": "config:invalid url domain"})
    signature = form.get("signature", "")
    if not any(_signed(t, form) == signature for t in valid_tickets(app_id)):
        return JsonResponse({"errMsg": "config:invalid signature"})
    return JsonResponse({"errMsg": "config:ok"})
