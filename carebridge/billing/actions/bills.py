"""Outpatient bills: the HIS's pushes, and the patient paying them.

push_bill(institution, patient, bill_in)       -> (Bill, outcome)
cancel_bill(bill)                              -> bool (False: already cancelled)
set_invoice(bill, number, url)                 -> Bill
pay_bills(patient, follower, bills, *, from_deposit=False) -> Order

An order holds its bills (PAYING) from the moment it is opened: a conditional update takes
only bills still UNPAID and unchanged, so two orders never hold one bill. The order's close
gives them back (``release_bills``); its payment settles them (``settle_bills``)."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import his
from ..errors import (
    BillBeingPaid,
    BillCancelled,
    BillNotPaid,
    BillPaid,
    BillsUnavailable,
    InsufficientDeposit,
    NoBills,
    PatientMismatch,
    PatientNotFound,
)
from ..kinds import ON_PAID, on_closed, on_paid
from ..models import (
    Bill,
    BillItem,
    BillState,
    DepositAccount,
    Order,
    OrderBill,
    OrderKind,
    OrderStatus,
)
from . import seams
from .deposits import spend
from .orders import open_order

REFUSED_STATE = {
    BillState.PAYING: BillBeingPaid,
    BillState.PAID: BillPaid,
    BillState.CANCELLED: BillCancelled,
}


def content_hash(bill_in) -> str:
    canonical = json.dumps(bill_in.content(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fields(bill_in) -> dict:
    return {
        "issued_at": bill_in.issued,
        "department": bill_in.department,
        "doctor": bill_in.doctor or "",
        "total": bill_in.total,
        "content_hash": content_hash(bill_in),
    }


def _write_items(bill, bill_in) -> None:
    BillItem.objects.bulk_create(
        BillItem(
            bill=bill,
            position=n,
            category=item.category,
            code=item.code or "",
            name=item.name,
            spec=item.spec or "",
            quantity=item.quantity,
            unit=item.unit or "",
            unit_price=item.unit_price,
            amount=item.amount,
        )
        for n, item in enumerate(bill_in.lineItem, start=1)
    )


@transaction.atomic
def push_bill(institution, patient, bill_in) -> tuple[Bill, str]:
    """Create the bill, or replace an unpaid one whose content changed ("updated"); the same
    content again is "unchanged" whatever its state. A changed push of a bill being paid, paid
    or cancelled is refused (BillBeingPaid, BillPaid, BillCancelled), as is one naming another
    patient (PatientMismatch)."""
    bill = Bill.objects.filter(institution=institution, his_id=bill_in.identifier).first()
    if bill is None:
        try:
            with transaction.atomic():
                bill = Bill.objects.create(
                    institution=institution,
                    patient=patient,
                    his_id=bill_in.identifier,
                    **_fields(bill_in),
                )
                _write_items(bill, bill_in)
                return bill, "created"
        except IntegrityError:  # the same bill pushed at this moment by another request
            bill = Bill.objects.get(institution=institution, his_id=bill_in.identifier)
    if bill.patient_id != patient.pk:
        raise PatientMismatch()
    fields = _fields(bill_in)
    if bill.content_hash == fields["content_hash"]:
        return bill, "unchanged"
    # Conditional: an order taking the bill at this moment wins, and the push is refused.
    if not Bill.objects.filter(pk=bill.pk, state=BillState.UNPAID).update(
        **fields, updated_at=timezone.now()
    ):
        bill.refresh_from_db(fields=["state"])
        raise REFUSED_STATE[bill.state]()
    bill.items.all().delete()
    _write_items(bill, bill_in)
    bill.refresh_from_db()
    return bill, "updated"


@transaction.atomic
def cancel_bill(bill) -> bool:
    """The HIS withdraws an unpaid bill. False if it was already cancelled; a bill being paid
    or paid is refused."""
    if Bill.objects.filter(pk=bill.pk, state=BillState.UNPAID).update(
        state=BillState.CANCELLED, cancelled_at=timezone.now()
    ):
        bill.refresh_from_db()
        return True
    bill.refresh_from_db(fields=["state"])
    if bill.state == BillState.CANCELLED:
        return False
    raise REFUSED_STATE[bill.state]()


@transaction.atomic
def set_invoice(bill, number: str, url: str) -> Bill:
    """The e-invoice (财政电子票据) the HIS issued for a paid bill."""
    if bill.state != BillState.PAID:
        raise BillNotPaid()
    bill.invoice_number, bill.invoice_url = number, url
    bill.save(update_fields=["invoice_number", "invoice_url", "updated_at"])
    return bill


@transaction.atomic
def pay_bills(patient, follower, bills, *, from_deposit=False) -> Order:
    """An OUTPATIENT order for ``bills`` (the patient's own, unpaid), holding them. Paid from
    the deposit, it is paid at once (the ledger's debit in this transaction; the whole order or
    nothing, InsufficientDeposit); otherwise it waits for WeChat Pay (the pay page). Bills
    already held, paid, cancelled or changed since they were read: BillsUnavailable."""
    bills = sorted(bills, key=lambda b: b.pk)
    if not bills:
        raise NoBills()
    institution = follower.account.institution
    if patient.owner_id != follower.pk:
        raise PatientNotFound()
    if any(
        (b.patient_id, b.institution_id, b.state) != (patient.pk, institution.pk, BillState.UNPAID)
        for b in bills
    ):
        raise BillsUnavailable()
    total = sum(b.total for b in bills)
    account = None
    if from_deposit:
        account = DepositAccount.objects.filter(institution=institution, patient=patient).first()
        if account is None or account.balance < total:
            raise InsufficientDeposit()
    description = _("门诊缴费(%(n)d张账单)") % {"n": len(bills)}
    order = open_order(
        institution=institution,
        patient=patient,
        follower=follower,
        kind=OrderKind.OUTPATIENT,
        description=description,
        total=total,
    )
    OrderBill.objects.bulk_create(OrderBill(order=order, bill=b, amount=b.total) for b in bills)
    held = 0
    for bill in bills:
        held += Bill.objects.filter(
            pk=bill.pk, state=BillState.UNPAID, content_hash=bill.content_hash
        ).update(state=BillState.PAYING, order=order, updated_at=timezone.now())
    if held != len(bills):
        raise BillsUnavailable()  # rolls back the order and whatever it held
    if account is not None:
        spend(account, order, by_follower=follower)
        _paid_from_deposit(order)
        order.refresh_from_db()
    return order


def _paid_from_deposit(order) -> None:
    Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
        status=OrderStatus.PAID, paid_deposit=order.total, paid_at=timezone.now()
    )
    order.refresh_from_db()
    ON_PAID[order.kind](order)


@on_closed(OrderKind.OUTPATIENT)
def release_bills(order) -> None:
    """A closed order gives its bills back: payable again, by another order."""
    Bill.objects.filter(order=order, state=BillState.PAYING).update(
        state=BillState.UNPAID, order=None, updated_at=timezone.now()
    )


@on_paid(OrderKind.OUTPATIENT)
def settle_bills(order) -> None:
    """The order's bills are paid, each with its share of the order's split, and the HIS is
    told. A bill the order no longer held (its close raced the payment) is taken if still
    unpaid; one paid by another order meanwhile (or cancelled) was paid twice: its amount is
    refunded to WeChat Pay at once."""
    parts = {
        "paid_wxpay": order.paid_wxpay,
        "paid_deposit": order.paid_deposit,
        "paid_insurance": order.paid_insurance,
    }
    settled = []
    for link in OrderBill.objects.filter(order=order).select_related("bill").order_by("bill_id"):
        share = _share(parts, link.amount)
        now = timezone.now()
        took = Bill.objects.filter(pk=link.bill_id, state=BillState.PAYING, order=order).update(
            state=BillState.PAID, paid_at=order.paid_at or now, updated_at=now, **share
        )
        took = took or Bill.objects.filter(pk=link.bill_id, state=BillState.UNPAID).update(
            state=BillState.PAID, order=order, paid_at=order.paid_at or now, updated_at=now, **share
        )
        if took:
            settled.append(Bill.objects.get(pk=link.bill_id))
            continue
        for name, fen in share.items():  # give the share back: the bill is paid elsewhere
            parts[name] += fen
        seams.request_refund(
            order, link.amount, _("账单 %(id)s 已缴费,重复支付退款") % {"id": link.bill.his_id}
        )
    if settled:
        his.announce_bills_paid(order, settled)


def _share(parts: dict, amount: int) -> dict:
    """Take ``amount`` from the order's remaining parts, WeChat Pay first, then the deposit,
    then insurance (mutating ``parts``): each bill's split adds up to its total."""
    share = {}
    for name in ("paid_wxpay", "paid_deposit", "paid_insurance"):
        take = min(parts[name], amount)
        share[name], parts[name], amount = take, parts[name] - take, amount - take
    return share
