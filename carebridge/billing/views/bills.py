"""门诊缴费: the patient's unpaid bills with their items, paid together or one at a time, by
WeChat Pay (the pay page) or from the deposit; and the paid ones with their e-invoice."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carebridge.institutions.pages import institution_page
from carebridge.lib.api_refusals import ApiRefusal
from carebridge.wechat.h5 import wechat_user_required

from ..actions.bills import pay_bills
from ..models import Bill, BillItem, BillState, DepositAccount
from ..page_forms import PayBillsForm
from .patient_pages import chosen_patient, page_context, pay_page

PAID_SHOWN = 30  # the most recent paid bills on the page


def bills_of(request, patient):
    return (
        Bill.objects.for_account(request.follower)
        .filter(patient=patient)
        .select_related("order")
        .prefetch_related(Prefetch("items", queryset=BillItem.objects.order_by("position")))
    )


def _page(request, slug, patient, patients, form=None, error="", status=200):
    context = page_context(request, slug, patient=patient, patients=patients, form=form)
    if patient is not None:
        bills = bills_of(request, patient)
        account = DepositAccount.objects.filter(
            institution=request.institution, patient=patient
        ).first()
        context.update(
            unpaid=list(bills.filter(state=BillState.UNPAID)),
            paying=[(b, pay_page(slug, b.order)) for b in bills.filter(state=BillState.PAYING)],
            paid=list(bills.filter(state=BillState.PAID).order_by("-paid_at")[:PAID_SHOWN]),
            balance=account.balance if account else 0,
        )
    context["error"] = error
    return render(request, "billing/bills.html", context, status=status)


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def bill_list(request, slug):
    patient, patients = chosen_patient(request, request.GET)
    return _page(request, slug, patient, patients)


@institution_page
@wechat_user_required
@require_POST
def pay(request, slug):
    """Pay the ticked bills: another account's patient or bill is a 404; no bill ticked, or a
    bill taken meanwhile, is the page again with the error."""
    patient, patients = chosen_patient(request, request.POST)
    if patient is None:
        raise Http404("no patient")
    mine = Bill.objects.for_account(request.follower).filter(patient=patient)
    known = {str(pk) for pk in mine.values_list("pk", flat=True)}
    if not set(request.POST.getlist("bill")) <= known:
        raise Http404("no such bill for this patient")
    # Only bills still unpaid are choices: one paid or taken meanwhile is a form error.
    unpaid = list(mine.filter(state=BillState.UNPAID))
    form = PayBillsForm(request.POST, unpaid)
    if not form.is_valid():
        return _page(request, slug, patient, patients, form=form, status=400)
    chosen = [b for b in unpaid if b.pk in set(form.cleaned_data["bill"])]
    by_deposit = form.cleaned_data["method"] == "deposit"
    try:
        order = pay_bills(patient, request.follower, chosen, from_deposit=by_deposit)
    except ApiRefusal as refusal:
        return _page(request, slug, patient, patients, form, str(refusal.message), status=409)
    if by_deposit:
        messages.success(request, _("已用预交金缴费"))
        return redirect(f"{reverse('billing:bills', kwargs={'slug': slug})}?patient={patient.pk}")
    return redirect(pay_page(slug, order))
