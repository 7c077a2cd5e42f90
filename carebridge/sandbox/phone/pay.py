"""The phone's answer to ``WeixinJSBridge.invoke('getBrandWCPayRequest', params, cb)`` from a
page opened on it (phone.js): ``pay_sheet`` checks the request as WeChat would and says what the
sheet shows; ``pay_confirm`` (确认支付) pays the order at the sandbox's WeChat Pay, which then
notifies the merchant. The page is called back ``:ok``, ``:cancel`` or ``:fail`` by phone.js."""

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from ..guard import sandbox_only
from ..wxpay import PayError, cashier, transactions
from .endpoints import phone_action
from .identity import app_id_of


def _params(request) -> dict:
    return {name: request.POST.get(name, "") for name in cashier.FIELDS}


def _refused(exc: PayError) -> JsonResponse:
    return JsonResponse({"error": exc.message or exc.code, "err_code": exc.code}, status=exc.status)


def _check(request) -> cashier.Sheet:
    user = request.user_on_phone
    return cashier.check_request(_params(request), app_id_of(request.account), user.openid)


@sandbox_only
@require_POST
@phone_action
def pay_sheet(request):
    try:
        sheet = _check(request)
    except PayError as exc:
        return _refused(exc)
    return JsonResponse(sheet.as_json(), json_dumps_params={"ensure_ascii": False})


@sandbox_only
@require_POST
@phone_action
def pay_confirm(request):
    """确认支付: checked again (the sheet may have stayed open past the deadline), then paid."""
    try:
        order = _check(request).order
        transactions.pay(order.mchid, order.out_trade_no)
    except PayError as exc:
        return _refused(exc)
    return JsonResponse({"ok": True})
