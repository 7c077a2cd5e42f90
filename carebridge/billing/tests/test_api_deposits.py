"""The HIS's cashier top-ups: credited once per receipt, bad input a 4xx naming the field,
another institution's key finds no patient of ours."""

import pytest

from carebridge.billing.models import DepositAccount, DepositMovement
from carebridge.patients.models import AccessLog

from .bill_helpers import call

pytestmark = pytest.mark.django_db

PATH = "/billing/deposits/top-ups"


def body(patient, **changes):
    return {
        "subject": {"patient_id": patient.pk},
        "amount": 50000,
        "channel": "card",
        "receipt_no": "SJ20261203-0001",
        "cashier": "收费员 07",
        **changes,
    }


def ledger():
    return list(DepositMovement.objects.order_by("pk").values_list("pk", "amount", "receipt_no"))


def test_a_top_up_is_credited_once_per_receipt(client, his_key, alice_self):
    r = call(client, "post", PATH, his_key, body(alice_self))
    assert r.status_code == 201, r.content
    assert r.json() == {
        "receipt_no": "SJ20261203-0001",
        "amount": 50000,
        "balance": 50000,
        "outcome": "created",
    }
    r = call(client, "post", PATH, his_key, body(alice_self))
    assert (r.status_code, r.json()["outcome"], r.json()["balance"]) == (200, "unchanged", 50000)
    movement = DepositMovement.objects.get()
    assert (movement.kind, movement.cashier, movement.by_client.name) == (
        "topup_card",
        "收费员 07",
        "HIS",
    )
    assert movement.actor == "HIS 收费员 07"


def test_the_same_receipt_with_another_amount_is_a_409(client, his_key, alice_self):
    call(client, "post", PATH, his_key, body(alice_self))
    before = ledger()
    r = call(client, "post", PATH, his_key, body(alice_self, amount=50001))
    assert (r.status_code, r.json()["code"]) == (409, "receipt_conflict")
    assert ledger() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"amount": 0}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": 100_000_001}, "amount"),
        ({"channel": "wxpay"}, "channel"),
        ({"receipt_no": ""}, "receipt_no"),
        ({"receipt_no": "SJ 1"}, "receipt_no"),
        ({"cashier": ""}, "cashier"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, his_key, alice_self, change, field):
    r = call(client, "post", PATH, his_key, body(alice_self, **change))
    assert r.status_code == 422, r.content
    assert any(field in e["loc"] for e in r.json()["detail"])
    assert ledger() == [] and DepositAccount.objects.count() == 0


def test_a_patient_named_by_card_number_is_looked_up_and_audited(client, his_key, alice_self):
    alice_self.set_card_number("8800123")
    alice_self.save()
    r = call(client, "post", PATH, his_key, body(alice_self, subject={"card_number": "8800123"}))
    assert r.status_code == 201
    assert AccessLog.objects.filter(patient=alice_self, api_client__name="HIS").exists()


def test_another_institutions_key_finds_no_patient(client, foreign_key, alice_self):
    r = call(client, "post", PATH, foreign_key, body(alice_self))
    assert (r.status_code, r.json()["code"]) == (404, "patient_not_found")
    assert ledger() == [] and DepositAccount.objects.count() == 0
