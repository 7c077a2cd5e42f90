import logging

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from carebridge.institutions.models import WeChatAccount

from . import callback
from .actions.callbacks import receive_message
from .credentials import MissingCredentials
from .messages import Malformed, normalise

log = logging.getLogger("carebridge.wechat")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receive(request, slug):
    """WeChat's callback: URL verification (GET) and messages and events (POST)."""
    # A plain get: the institution is loaded only by the paths that need it, and the ORM's
    # join and ordering for select_related().first() cost more CPU than the rest of the
    # one-insert path.
    try:
        account = WeChatAccount.objects.get(slug=slug)
    except WeChatAccount.DoesNotExist:
        raise Http404("no such account") from None
    try:
        creds = account.credentials
    except MissingCredentials as exc:
        log.error("callback %s: %s", slug, exc)
        return HttpResponse("account not configured", status=503, content_type="text/plain")
    try:
        if request.method == "GET":
            return HttpResponse(callback.verify_url(creds, request.GET), content_type="text/plain")
        # Refuse an oversized body before reading it.
        if _declared_length(request) > settings.WECHAT_CALLBACK_MAX_BYTES:
            raise callback.Rejected(413, "body too large")
        inbound = callback.unwrap(creds, request.GET, request.body)
        message = normalise(inbound.message)
        callback.check_addressee(message.account_name, account.original_id)
    except callback.Rejected as exc:
        log.warning("callback %s refused (%s): %s", slug, exc.status, exc.reason)
        return HttpResponse(exc.reason, status=exc.status, content_type="text/plain")
    except Malformed as exc:
        log.warning("callback %s refused (400): %s", slug, exc)
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    reply = receive_message(account, message)
    body = callback.wrap(creds, reply, inbound.encrypted)
    if not body:
        return HttpResponse("success", content_type="text/plain")
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise callback.Rejected(400, "bad Content-Length") from exc
