"""The HIS's billing calls: push, cancel and read outpatient bills, set their e-invoice, and
record cashier top-ups of the deposit. Every call acts for its key's institution only: another
institution's bills and patients are not found (404), exactly like ones that do not exist.

The answers name no patient; a patient named by card or ID number is looked up by keyed hash,
and the look-up is written to the patients' audit log under the client's name."""

from ninja import Path, Router, Status

from carebridge.integrations.auth import requires
from carebridge.integrations.models import Scope
from carebridge.lib.api_input import HIS_ID
from carebridge.lib.api_refusals import Refusal, refusals
from carebridge.patients.references import find_patient, parse_patient_ref

from .actions import bills as bill_actions
from .actions import deposits as deposit_actions
from .errors import NotFound, PatientNotFound
from .models import Bill
from .schemas import (
    BillIn,
    BillPushed,
    Cancellation,
    InvoiceIn,
    PaymentState,
    TopUpDone,
    TopUpIn,
)

router = Router(tags=["billing"])

# Every refusal has the same shape; 401 (no or bad key) and 422 (malformed body) are ninja's.
REFUSALS = {400: Refusal, 403: Refusal, 404: Refusal, 409: Refusal}
BillId = Path(..., min_length=1, max_length=64, pattern=HIS_ID, description="the HIS's bill number")


def patient_named(request, ref):
    found = find_patient(request, request.api_client.institution, parse_patient_ref(ref))
    if found is None:
        raise PatientNotFound()
    return found


def bill_of(request, identifier) -> Bill:
    bill = (
        Bill.objects.select_related("order")
        .filter(institution=request.api_client.institution, his_id=identifier)
        .first()
    )
    if bill is None:
        raise NotFound()
    return bill


def pushed(bill, outcome) -> dict:
    return {"identifier": bill.his_id, "state": bill.state, "total": bill.total, "outcome": outcome}


@router.post(
    "/bills",
    auth=requires(Scope.BILLS_PUSH),
    response={200: BillPushed, 201: BillPushed, **REFUSALS},
    summary="Push an outpatient bill",
)
@refusals
def push_bill(request, payload: BillIn):
    """Creates the bill (201 ``created``) or, while it is unpaid, replaces it with a changed
    push (201 ``updated``); the same content again changes nothing (200 ``unchanged``). Each
    line's ``amount`` must be ``quantity × unit_price`` rounded half up to the fen and ``total``
    their sum (422 naming the field otherwise). Refusals: 404 patient_not_found; 409
    patient_mismatch, bill_being_paid, bill_paid, bill_cancelled."""
    patient = patient_named(request, payload.subject)
    bill, outcome = bill_actions.push_bill(request.api_client.institution, patient, payload)
    return Status(201 if outcome in ("created", "updated") else 200, pushed(bill, outcome))


@router.post(
    "/bills/{identifier}/cancel",
    auth=requires(Scope.BILLS_PUSH),
    response={200: BillPushed, **REFUSALS},
    summary="Cancel an unpaid bill",
)
@refusals
def cancel_bill(request, payload: Cancellation, identifier: str = BillId):
    """The bill leaves the patient's list. The body may be ``{}``. Again on a cancelled bill:
    200 ``unchanged``. A bill being paid or paid is refused (409 bill_being_paid, bill_paid)."""
    bill = bill_of(request, identifier)
    done = bill_actions.cancel_bill(bill)
    return Status(200, pushed(bill, "cancelled" if done else "unchanged"))


@router.get(
    "/bills/{identifier}",
    auth=requires(Scope.BILLS_READ, Scope.BILLS_PUSH),
    response={200: PaymentState, 403: Refusal, 404: Refusal},
    summary="A bill's payment state",
)
@refusals
def payment_state(request, identifier: str = BillId):
    """Whether the bill is paid, when, and how: its share of WeChat Pay, the deposit and
    medical insurance, our order number and WeChat Pay's transaction id."""
    bill = bill_of(request, identifier)
    return Status(200, state_of(bill))


def state_of(bill) -> dict:
    paid = bill.state == "paid"
    order = bill.order if paid else None
    return {
        "identifier": bill.his_id,
        "state": bill.state,
        "total": bill.total,
        "paid": paid,
        "method": bill.payment_method,
        "paid_wxpay": bill.paid_wxpay,
        "paid_deposit": bill.paid_deposit,
        "paid_insurance": bill.paid_insurance,
        "paid_at": bill.paid_at,
        "out_trade_no": order.out_trade_no if order else None,
        "transaction_id": (order.transaction_id or None) if order else None,
        "invoice_number": bill.invoice_number,
        "invoice_url": bill.invoice_url,
    }


@router.put(
    "/bills/{identifier}/invoice",
    auth=requires(Scope.BILLS_PUSH),
    response={200: PaymentState, **REFUSALS},
    summary="Set a paid bill's e-invoice (财政电子票据)",
)
@refusals
def set_invoice(request, payload: InvoiceIn, identifier: str = BillId):
    """The patient's page links to it. Refused before the bill is paid (409 bill_not_paid)."""
    bill = bill_of(request, identifier)
    bill_actions.set_invoice(bill, payload.number, payload.url)
    return Status(200, state_of(bill))


@router.post(
    "/deposits/top-ups",
    auth=requires(Scope.DEPOSITS_TOP_UP),
    response={200: TopUpDone, 201: TopUpDone, **REFUSALS},
    summary="Record a cashier's top-up of a patient's deposit",
)
@refusals
def top_up(request, payload: TopUpIn):
    """Cash, card or bank transfer taken at the window, credited to the patient's deposit (201
    ``created``). The receipt number makes a retry safe: the same receipt again changes nothing
    (200 ``unchanged``); the same number with another patient, amount or channel is refused
    (409 receipt_conflict). Refusals: 404 patient_not_found."""
    patient = patient_named(request, payload.subject)
    client = request.api_client
    movement, created = deposit_actions.top_up_at_window(
        client.institution,
        patient,
        payload.amount,
        payload.channel,
        payload.receipt_no,
        reason=payload.reason or "",
        client=client,
        cashier=payload.cashier,
    )
    answer = {
        "receipt_no": movement.receipt_no,
        "amount": movement.amount,
        "balance": movement.account.balance,
        "outcome": "created" if created else "unchanged",
    }
    return Status(201 if created else 200, answer)
