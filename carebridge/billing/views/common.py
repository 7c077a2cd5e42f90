"""What the patient pages share: the account's orders, one order by its number, the context."""

from django.http import Http404

from carebridge.patients.queries import patients_of

from ..models import Order


def orders_of(follower):
    """The account's orders with what their rows show."""
    return Order.objects.for_account(follower).select_related("patient")


def order_for(follower, out_trade_no: str, rows=None) -> Order:
    """The account's order with that number (from ``rows``, a narrower queryset of
    ``orders_of``), else 404: another account's order and no order are not told apart."""
    rows = orders_of(follower) if rows is None else rows
    order = rows.filter(out_trade_no=out_trade_no).first()
    if order is None:
        raise Http404("no such order for this user")
    return order


def account_patients(follower) -> list:
    return list(patients_of(follower))


def page_context(request, slug, **extra):
    account = request.wechat_account
    return {"account": account, "institution": account.institution, "slug": slug, **extra}
