"""The pay page and the small JSON answer it polls after WeChat's cashier says "ok"."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from carebridge.institutions.pages import institution_page
from carebridge.wechat.h5 import wechat_user_required

from ..actions.payments import PayNotPossible, prepare_jsapi
from ..models import OrderStatus
from .common import order_for, page_context


@institution_page
@wechat_user_required
@require_GET
def pay(request, slug, out_trade_no):
    """The amount (the server's) and the deadline, and the button that opens WeChat's cashier
    with prepare_jsapi's parameters. An order that cannot be paid says why: 409 when its state
    forbids it, 503 when WeChat Pay could not be reached or refused for now."""
    order = order_for(request.follower, out_trade_no)
    params, problem = None, None
    try:
        if order.follower_id not in (None, request.follower.pk):
            raise PayNotPossible(_("请使用下单时的微信账号支付。"))
        params = prepare_jsapi(order)
    except PayNotPossible as exc:
        problem = exc
    context = page_context(
        request,
        slug,
        order=order,
        params=params,
        problem=problem,
        pay_data={
            "status_url": reverse(
                "billing:status", kwargs={"slug": slug, "out_trade_no": order.out_trade_no}
            ),
            "order_url": reverse(
                "billing:order", kwargs={"slug": slug, "out_trade_no": order.out_trade_no}
            ),
            "params": params,
            "text": _page_words(),
        },
    )
    status = 200 if problem is None else 503 if problem.retry else 409
    return render(request, "billing/pay.html", context, status=status)


def _page_words() -> dict:
    """pay.js's sentences, in the page's language."""
    return {
        "confirming": _("正在确认支付结果…"),
        "paid": _("支付完成，医院已收到付款。"),
        "later": _("支付结果确认中，请稍后在“我的服务单”查看。"),
        "closed": _("订单已关闭，不能再支付。"),
        "cancelled": _("已取消支付，可以重新支付。"),
        "failed": _("支付未成功，可以重新支付。"),
        "again": _("重新支付"),
        "not_wechat": _("请在微信中打开本页面完成支付。"),
    }


@institution_page
@wechat_user_required
@require_GET
def status(request, slug, out_trade_no):
    """{"status", "paid", "payable"}: what the server knows, which only a verified notification
    or a query answer changes. The pay page polls it after the cashier's "ok"."""
    order = order_for(request.follower, out_trade_no)
    return JsonResponse(
        {
            "status": order.status,
            "paid": order.status in (OrderStatus.PAID, OrderStatus.REFUNDED),
            "payable": order.is_payable,
            "label": str(order.get_status_display()),
        },
        json_dumps_params={"ensure_ascii": False},
    )
