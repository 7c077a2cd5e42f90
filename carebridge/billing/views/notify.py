"""WeChat Pay's notifications (支付/退款结果通知), POSTed to each merchant's notify_url.

The view only translates: it finds the merchant, has the client verify and decrypt, and hands
the notification to ``apply_notification``. It answers 204 once the notification is recorded
and applied (or was before), within WeChat Pay's 5 seconds: whatever is slow (the confirmation
message, the HIS write-back) was queued in the outbox by the order kind's ``on_paid``, or is
left to the worker with the whole ``on_paid`` (the registration fee's: kinds.py). Anything
not to be believed or not to be applied gets 4xx with ``{"code": "FAIL", "message": …}`` and
changes nothing; WeChat Pay then retries on its schedule."""

import logging

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..actions.notifications import apply_notification
from ..models import Merchant
from ..notifications import BadNotification, notification_client, read_notification
from ..wxpay import NotTrusted

log = logging.getLogger("carebridge.billing")


def _fail(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": "FAIL", "message": message},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def wxpay_notify(request, mchid: str):
    merchant = Merchant.objects.filter(mchid=mchid).first()
    if merchant is None:
        return _fail(404, f"unknown merchant {mchid[:32]}")
    try:
        note = read_notification(notification_client(merchant), request.headers, request.body)
        outcome = apply_notification(merchant, note)
    except NotTrusted as exc:
        # A forgery, a replay from long ago, WeChat Pay's SIGNTEST probe: all refused alike.
        log.warning("wxpay notification for %s refused: %r", mchid, exc)
        return _fail(401, f"{exc.__class__.__name__}: {exc}"[:200])
    except BadNotification as exc:
        log.error("wxpay notification for %s malformed: %s", mchid, exc)
        return _fail(400, str(exc))
    if not outcome.accepted:
        log.error("wxpay notification %s for %s not applied: %s", note.id, mchid, outcome.message)
        return _fail(409, outcome.message)
    return HttpResponse(status=204)
