"""What the bills and deposit pages share: the account's patients and the one looked at."""

from carebridge.patients.queries import get_patient_for, patients_of


def page_context(request, slug, **extra):
    account = request.wechat_account
    return {"account": account, "institution": account.institution, "slug": slug, **extra}


def chosen_patient(request, source):
    """The patient ``?patient=`` (or the POSTed ``patient``) names, else the account's default
    one; None without any. Another account's patient, or no number: 404."""
    patients = list(patients_of(request.follower))
    raw = source.get("patient")
    if raw in (None, ""):
        return (patients[0] if patients else None), patients
    return get_patient_for(request.follower, raw), patients


def pay_page(slug, order) -> str:
    """The order's pay page (pay-pages' ``billing:pay``), by its path, so this branch links to
    it before that one is merged."""
    return f"/h5/{slug}/orders/{order.out_trade_no}/pay/"
