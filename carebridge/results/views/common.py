"""What the signed-in pages share: the account's context and the patient being looked at."""

from django.core.paginator import Paginator

from carebridge.patients.queries import patients_of

# Rows per page of a list: ten years of a patient's reports or visits are hundreds.
PAGE_SIZE = 20


def page_context(request, slug, **extra):
    account = request.wechat_account
    return {"account": account, "institution": account.institution, "slug": slug, **extra}


def chosen_patient(form, patients):
    """The patient the filter names, else the account's default (first) one; None without any."""
    chosen = form.cleaned_data.get("patient") if form.is_valid() else None
    by_id = {p.pk: p for p in patients}
    return by_id.get(chosen) or (patients[0] if patients else None)


def account_patients(follower) -> list:
    return list(patients_of(follower))


def page_of(rows, request):
    """The page ``?page=`` names of ``rows`` (the first for a missing or bad number)."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
