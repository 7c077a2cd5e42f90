"""预交金: the patient's balance and movements, an online top-up (an amount within the
institution's limits, checked here and again by the action) and a refund request."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carebridge.institutions.pages import institution_page
from carebridge.lib.api_refusals import ApiRefusal
from carebridge.lib.money import format_yuan
from carebridge.wechat.h5 import wechat_user_required

from ..actions.deposits import open_online_topup, refund_balance
from ..errors import NothingToRefund
from ..models import BillingPolicy, DepositAccount
from ..page_forms import RefundRequestForm, TopUpForm
from .patient_pages import chosen_patient, page_context, pay_page

PAGE_SIZE = 20


def _page(request, slug, patient, patients, topup=None, refund=None, status=200):
    policy = BillingPolicy.for_institution(request.institution)
    context = page_context(
        request,
        slug,
        patient=patient,
        patients=patients,
        topup_form=topup or TopUpForm(None, policy),
        refund_form=refund or RefundRequestForm(None),
    )
    if patient is not None:
        account = DepositAccount.objects.filter(
            institution=request.institution, patient=patient
        ).first()
        movements = account.movements.select_related("by_user", "by_client") if account else []
        context["account"] = account
        context["balance"] = account.balance if account else 0
        context["movements"] = Paginator(movements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/deposit.html", context, status=status)


def _back(slug, patient):
    return redirect(f"{reverse('billing:deposit', kwargs={'slug': slug})}?patient={patient.pk}")


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def deposit(request, slug):
    patient, patients = chosen_patient(request, request.GET)
    return _page(request, slug, patient, patients)


@institution_page
@wechat_user_required
@require_POST
def top_up(request, slug):
    patient, patients = chosen_patient(request, request.POST)
    if patient is None:
        raise Http404("no patient")
    form = TopUpForm(request.POST, BillingPolicy.for_institution(request.institution))
    if not form.is_valid():
        return _page(request, slug, patient, patients, topup=form, status=400)
    try:
        order = open_online_topup(patient, request.follower, form.cleaned_data["amount"])
    except ApiRefusal as refusal:
        form.add_error("amount", str(refusal.message))
        return _page(request, slug, patient, patients, topup=form, status=400)
    return redirect(pay_page(slug, order))


@institution_page
@wechat_user_required
@require_POST
def refund(request, slug):
    """Online top-ups go back to WeChat Pay; cash and card parts wait at the cashier's window."""
    patient, patients = chosen_patient(request, request.POST)
    if patient is None:
        raise Http404("no patient")
    form = RefundRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, slug, patient, patients, refund=form, status=400)
    account = DepositAccount.objects.filter(
        institution=request.institution, patient=patient
    ).first()
    try:
        if account is None:
            raise NothingToRefund()
        outcome = refund_balance(
            account, reason=form.cleaned_data["reason"], follower=request.follower
        )
    except ApiRefusal as refusal:
        form.add_error(None, str(refusal.message))
        return _page(request, slug, patient, patients, refund=form, status=409)
    if outcome.online:
        messages.success(
            request,
            _("%(amount)s 将原路退回微信支付,到账以微信通知为准")
            % {"amount": format_yuan(outcome.online)},
        )
    if outcome.waiting:
        messages.info(
            request,
            _("现金、银行卡部分 %(amount)s 请持有效证件到收费窗口办理退款")
            % {"amount": format_yuan(outcome.waiting)},
        )
    return _back(slug, patient)
