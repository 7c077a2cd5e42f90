"""就诊记录: the account's visits by patient, and one visit with its reports."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from carebridge.institutions.pages import institution_page
from carebridge.wechat.h5 import wechat_user_required

from ..models import Report, Visit
from ..page_forms import VisitFilterForm
from .common import account_patients, chosen_patient, page_context, page_of


def _visits_of(follower):
    return Visit.objects.for_account(follower).visible_to_patient()


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def visit_list(request, slug):
    patients = account_patients(request.follower)
    form = VisitFilterForm(request.GET, patients)
    patient = chosen_patient(form, patients)
    visits = Visit.objects.none()
    if patient is not None:
        visits = _visits_of(request.follower).filter(patient=patient)
    page = page_of(visits.prefetch_related("diagnoses").newest_first(), request)
    context = page_context(request, slug, form=form, patient=patient, visits=page, page=page)
    context["patients"] = patients
    return render(request, "results/visits.html", context, status=200 if form.is_valid() else 400)


@institution_page  # an unknown account: 404 before any sign-in
@wechat_user_required
def visit_detail(request, slug, visit_id):
    reports = (
        Report.objects.for_account(request.follower)
        .visible_to_patient(timezone.now())
        .with_abnormal()
        .newest_first()
    )
    visit = (
        _visits_of(request.follower)
        .select_related("patient")
        .prefetch_related("diagnoses", "prescription", Prefetch("reports", queryset=reports))
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise Http404("no such visit for this user")
    return render(request, "results/visit.html", page_context(request, slug, visit=visit))
