"""Bills as the HIS pushes them, paid bills, and the API call the tests make."""

import json

from carebridge.billing.actions.bills import push_bill
from carebridge.billing.schemas import BillIn


def bill_body(patient, identifier="MZ20261203001", **changes) -> dict:
    """A bill of 2 lines: 阿莫西林 2 盒 × 12.50 元 and 血常规 1 × 20.00 元 = 45.00 元."""
    body = {
        "identifier": identifier,
        "subject": {"patient_id": patient.pk},
        "issued": "2026-12-03T09:30:00+08:00",
        "department": "呼吸内科",
        "doctor": "王医生",
        "lineItem": [
            {
                "category": "drug",
                "code": "Y001",
                "name": "阿莫西林胶囊",
                "spec": "0.25g×24粒",
                "quantity": "2",
                "unit": "盒",
                "unit_price": 1250,
                "amount": 2500,
            },
            {
                "category": "exam",
                "name": "血常规",
                "quantity": "1",
                "unit": "次",
                "unit_price": 2000,
                "amount": 2000,
            },
        ],
        "total": 4500,
    }
    body.update(changes)
    return body


def make_bill(patient, identifier="MZ20261203001", **changes):
    """A bill pushed straight through the action, for tests that are not about the API."""
    institution = patient.owner.account.institution
    bill, _outcome = push_bill(
        institution, patient, BillIn.model_validate(bill_body(patient, identifier, **changes))
    )
    return bill


def call(client, method, path, key, body=None, **extra):
    kwargs = {"HTTP_X_API_KEY": key} if key else {}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api{path}", **kwargs, **extra)


def paid_bill(patient, identifier="MZ20261203001"):
    """A bill paid from the deposit, topped up in cash for it."""
    from carebridge.billing.actions.bills import pay_bills
    from carebridge.billing.actions.deposits import top_up_at_window

    bill = make_bill(patient, identifier)
    top_up_at_window(bill.institution, patient, bill.total, "cash", f"SJ-{identifier}", reason="t")
    pay_bills(patient, patient.owner, [bill], from_deposit=True)
    bill.refresh_from_db()
    return bill
