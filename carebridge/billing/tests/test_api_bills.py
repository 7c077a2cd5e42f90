"""The HIS's bill calls: push (idempotent, replacing an unpaid bill, refusing a paid one),
cancel, payment state, e-invoice; every bad input a 4xx naming the field, nothing changed;
another institution's key finds nothing."""

import pytest

from carebridge.billing.actions.bills import pay_bills
from carebridge.billing.models import Bill, BillItem, Order

from .bill_helpers import bill_body, call, make_bill

pytestmark = pytest.mark.django_db


def db_state():
    return (
        list(Bill.objects.order_by("pk").values_list("pk", "state", "total", "content_hash")),
        list(BillItem.objects.order_by("pk").values_list("pk", "name", "amount")),
        Order.objects.count(),
    )


def test_it_creates_a_bill_with_its_items(client, his_key, alice_self):
    r = call(client, "post", "/billing/bills", his_key, bill_body(alice_self))
    assert r.status_code == 201, r.content
    assert r.json() == {
        "identifier": "MZ20261203001",
        "state": "unpaid",
        "total": 4500,
        "outcome": "created",
    }
    bill = Bill.objects.get()
    assert (bill.patient, bill.department, bill.doctor) == (alice_self, "呼吸内科", "王医生")
    items = list(bill.items.values_list("category", "name", "quantity", "unit_price", "amount"))
    assert [i[:2] for i in items] == [("drug", "阿莫西林胶囊"), ("exam", "血常规")]
    assert items[0][2:] == (2, 1250, 2500)


def test_the_same_push_again_changes_nothing(client, his_key, alice_self):
    call(client, "post", "/billing/bills", his_key, bill_body(alice_self))
    before = db_state()
    r = call(client, "post", "/billing/bills", his_key, bill_body(alice_self))
    assert (r.status_code, r.json()["outcome"]) == (200, "unchanged")
    assert db_state() == before


def test_a_changed_push_replaces_an_unpaid_bill(client, his_key, alice_self):
    call(client, "post", "/billing/bills", his_key, bill_body(alice_self))
    body = bill_body(alice_self)
    body["lineItem"] = body["lineItem"][:1]
    body["total"] = 2500
    r = call(client, "post", "/billing/bills", his_key, body)
    assert (r.status_code, r.json()["outcome"], r.json()["total"]) == (201, "updated", 2500)
    assert list(Bill.objects.get().items.values_list("name", flat=True)) == ["阿莫西林胶囊"]


@pytest.mark.parametrize("from_deposit", [False, True], ids=["paying", "paid"])
def test_a_changed_push_of_a_bill_being_paid_or_paid_is_refused(
    client, his_key, alice, alice_self, from_deposit
):
    bill = make_bill(alice_self)
    if from_deposit:
        from carebridge.billing.actions.deposits import top_up_at_window

        top_up_at_window(bill.institution, alice_self, 10000, "cash", "R1", reason="t")
    pay_bills(alice_self, alice, [bill], from_deposit=from_deposit)
    before = db_state()
    r = call(client, "post", "/billing/bills", his_key, bill_body(alice_self, department="外科"))
    code = "bill_paid" if from_deposit else "bill_being_paid"
    assert (r.status_code, r.json()["code"]) == (409, code)
    assert db_state() == before


def test_a_bill_number_of_another_patient_is_refused(client, his_key, alice_self, alice_mother):
    make_bill(alice_self)
    before = db_state()
    r = call(client, "post", "/billing/bills", his_key, bill_body(alice_mother))
    assert (r.status_code, r.json()["code"]) == (409, "patient_mismatch")
    assert db_state() == before


BAD_BODIES = [
    ("amount", lambda b: b["lineItem"][0].update(amount=2499), "amount"),
    ("total", lambda b: b.update(total=4499), "total"),
    ("quantity", lambda b: b["lineItem"][0].update(quantity="0"), "quantity"),
    ("quantity decimals", lambda b: b["lineItem"][0].update(quantity="1.0001"), "quantity"),
    ("category", lambda b: b["lineItem"][0].update(category="food"), "category"),
    ("unit_price", lambda b: b["lineItem"][0].update(unit_price=-1), "unit_price"),
    ("unit_price not int", lambda b: b["lineItem"][0].update(unit_price="1250"), "unit_price"),
    ("no items", lambda b: b.update(lineItem=[], total=1), "lineItem"),
    ("identifier", lambda b: b.update(identifier="MZ/1"), "identifier"),
    ("issued", lambda b: b.update(issued="2026-12-03T09:30:00"), "issued"),
    ("department", lambda b: b.update(department=""), "department"),
    ("NUL", lambda b: b.update(doctor="王\x00"), "doctor"),
]


@pytest.mark.parametrize("name, change, field", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_malformed_bill_is_a_422_naming_the_field(
    client, his_key, alice_self, name, change, field
):
    body = bill_body(alice_self)
    change(body)
    r = call(client, "post", "/billing/bills", his_key, body)
    assert r.status_code == 422, r.content
    assert any(field in e["loc"] for e in r.json()["detail"]), r.json()
    assert db_state() == ([], [], 0)


def test_an_unknown_patient_is_a_404(client, his_key, alice_self):
    body = bill_body(alice_self, subject={"patient_id": alice_self.pk + 1000})
    r = call(client, "post", "/billing/bills", his_key, body)
    assert (r.status_code, r.json()["code"]) == (404, "patient_not_found")
    r = call(client, "post", "/billing/bills", his_key, bill_body(alice_self, subject={}))
    assert (r.status_code, r.json()["code"]) == (400, "patient_required")
    assert db_state() == ([], [], 0)


def test_a_body_that_is_not_json_is_a_400(client, his_key):
    r = client.post(
        "/api/billing/bills", data="{", content_type="application/json", HTTP_X_API_KEY=his_key
    )
    assert (r.status_code, r.json()["code"]) == (400, "malformed_body")


def test_cancel_an_unpaid_bill_once(client, his_key, alice_self):
    make_bill(alice_self)
    r = call(client, "post", "/billing/bills/MZ20261203001/cancel", his_key, {})
    assert (r.status_code, r.json()["outcome"], r.json()["state"]) == (
        200,
        "cancelled",
        "cancelled",
    )
    r = call(client, "post", "/billing/bills/MZ20261203001/cancel", his_key, {})
    assert (r.status_code, r.json()["outcome"]) == (200, "unchanged")
    r = call(client, "post", "/billing/bills", his_key, bill_body(alice_self, department="外科"))
    assert (r.status_code, r.json()["code"]) == (409, "bill_cancelled")


def test_a_bill_being_paid_cannot_be_cancelled(client, his_key, alice, alice_self):
    bill = make_bill(alice_self)
    pay_bills(alice_self, alice, [bill])
    before = db_state()
    r = call(client, "post", "/billing/bills/MZ20261203001/cancel", his_key, {})
    assert (r.status_code, r.json()["code"]) == (409, "bill_being_paid")
    assert db_state() == before


def test_payment_state_of_an_unpaid_and_a_deposit_paid_bill(client, his_key, alice, alice_self):
    from carebridge.billing.actions.deposits import top_up_at_window

    bill = make_bill(alice_self)
    r = call(client, "get", "/billing/bills/MZ20261203001", his_key)
    assert r.status_code == 200
    assert (r.json()["paid"], r.json()["method"], r.json()["out_trade_no"]) == (False, "", None)
    top_up_at_window(bill.institution, alice_self, 10000, "cash", "R1", reason="t")
    order = pay_bills(alice_self, alice, [bill], from_deposit=True)
    answer = call(client, "get", "/billing/bills/MZ20261203001", his_key).json()
    assert answer["paid"] and answer["method"] == "deposit"
    assert (answer["paid_deposit"], answer["paid_wxpay"]) == (4500, 0)
    assert answer["out_trade_no"] == order.out_trade_no and answer["paid_at"]


def test_an_invoice_is_set_on_a_paid_bill_only(client, his_key, alice, alice_self):
    from carebridge.billing.actions.deposits import top_up_at_window

    bill = make_bill(alice_self)
    invoice = {"number": "3100226001-0000123", "url": "https://einvoice.example.cn/i/123"}
    path = "/billing/bills/MZ20261203001/invoice"
    r = call(client, "put", path, his_key, invoice)
    assert (r.status_code, r.json()["code"]) == (409, "bill_not_paid")
    top_up_at_window(bill.institution, alice_self, 10000, "cash", "R1", reason="t")
    pay_bills(alice_self, alice, [bill], from_deposit=True)
    r = call(client, "put", path, his_key, {**invoice, "url": "javascript:alert(1)"})
    assert r.status_code == 422 and "url" in r.json()["detail"][0]["loc"]
    r = call(client, "put", path, his_key, invoice)
    assert r.status_code == 200 and r.json()["invoice_number"] == "3100226001-0000123"
    bill.refresh_from_db()
    assert bill.invoice_url == "https://einvoice.example.cn/i/123"


def test_another_institutions_key_finds_none_of_its_bills_or_patients(
    client, foreign_key, alice_self
):
    make_bill(alice_self)
    before = db_state()
    for method, path, body in [
        ("get", "/billing/bills/MZ20261203001", None),
        ("post", "/billing/bills/MZ20261203001/cancel", {}),
        ("put", "/billing/bills/MZ20261203001/invoice", {"number": "1", "url": "https://x.cn"}),
        ("post", "/billing/bills", bill_body(alice_self)),
    ]:
        r = call(client, method, path, foreign_key, body)
        assert r.status_code == 404, (path, r.content)
    assert db_state() == before


def test_an_unknown_bill_is_a_404(client, his_key):
    r = call(client, "get", "/billing/bills/NOPE", his_key)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_refusals_speak_english_when_asked(client, his_key, alice_self):
    make_bill(alice_self)
    call(client, "post", "/billing/bills/MZ20261203001/cancel", his_key, {})
    r = call(
        client,
        "post",
        "/billing/bills",
        his_key,
        bill_body(alice_self, department="外科"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.json()["message"] == "This bill has been cancelled"
