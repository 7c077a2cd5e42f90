"""个人中心 and 我的服务单: the account's orders, newest first, and one order in full."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone

from carebridge.institutions.pages import institution_page
from carebridge.wechat.h5 import wechat_user_required

from ..models import Refund
from ..page_forms import OrderFilterForm, PatientFilterForm, Status
from .common import account_patients, order_for, orders_of, page_context

PAGE_SIZE = 20  # orders per page of 我的服务单
SHORT_LIST = 5  # of each kind on 个人中心, with a link to the rest


def _of_patient(rows, patient_id):
    return rows.filter(patient_id=patient_id) if patient_id else rows


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def me(request, slug):
    """个人中心: the account's patients, what waits to be paid, the latest paid orders and
    refunds, and the way to the other patient pages."""
    patients = account_patients(request.follower)
    form = PatientFilterForm(request.GET, patients)
    patient_id = form.chosen()
    orders = _of_patient(orders_of(request.follower), patient_id)
    refunds = Refund.objects.filter(order__in=orders.values("pk")).select_related("order__patient")
    orders = orders.prefetch_related("refunds")  # each row shows its latest refund
    context = page_context(
        request,
        slug,
        form=form,
        patients=patients,
        awaiting=list(orders.awaiting_payment().order_by("expires_at")[:SHORT_LIST]),
        paid=list(orders.paid().order_by("-paid_at")[:SHORT_LIST]),
        refunds=list(refunds.order_by("-created_at", "-pk")[:SHORT_LIST]),
    )
    return render(request, "billing/me.html", context, status=200 if form.is_valid() else 400)


@institution_page
@wechat_user_required
def order_list(request, slug):
    """我的服务单 (?status=unpaid: 门诊缴费): newest first, a page at a time."""
    patients = account_patients(request.follower)
    form = OrderFilterForm(request.GET, patients)
    status = form.status()
    orders = _of_patient(orders_of(request.follower), form.chosen())
    if status == Status.UNPAID:
        orders = orders.awaiting_payment()
    elif status == Status.PAID:
        orders = orders.paid()
    elif status == Status.REFUND:
        orders = orders.with_refunds()
    orders = orders.prefetch_related("refunds").order_by("-created_at", "-pk")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    context = page_context(
        request, slug, form=form, patients=patients, status=status, orders=page, page=page
    )
    context["tabs"] = Status.CHOICES
    return render(request, "billing/orders.html", context, status=200 if form.is_valid() else 400)


@institution_page
@wechat_user_required
def order_detail(request, slug, out_trade_no):
    """One order: what it was for, how it was paid, its refunds."""
    refunds = Refund.objects.order_by("-created_at", "-pk")
    rows = (
        orders_of(request.follower)
        .select_related("appointment__session__department")
        .prefetch_related(Prefetch("refunds", queryset=refunds))
    )
    order = order_for(request.follower, out_trade_no, rows)
    context = page_context(request, slug, order=order, now=timezone.now())
    return render(request, "billing/order.html", context)
