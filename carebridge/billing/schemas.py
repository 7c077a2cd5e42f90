"""The shapes of the HIS's billing calls (django-ninja), named after FHIR R4's Invoice (a bill
with its ``lineItem``s) and ChargeItem, kept plain: money is integer fen in every field.

Every value is bounded (lib/api_input.py): a value outside its bounds, an item whose amount is
not its quantity × unit price, or a total that is not the sum of the items is a 422 naming the
field, before anything is read or written."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import field_validator

from carebridge.lib.api_input import HisId, Moment, text
from carebridge.patients.references import PatientRef

from .models import BillState, Channel, ItemCategory

# A bill of 1,000,000 yuan is a typing slip, not a clinic's bill.
MAX_FEN = 100_000_000
Fen = Annotated[int, Field(strict=True, ge=0, le=MAX_FEN, description="fen (分)")]
PositiveFen = Annotated[int, Field(strict=True, gt=0, le=MAX_FEN, description="fen (分)")]
Quantity = Annotated[
    Decimal,
    Field(
        gt=0, max_digits=12, decimal_places=3, allow_inf_nan=False, description="up to 3 decimals"
    ),
]
Link = Annotated[str, Field(max_length=1000, pattern=r"^https?://[^\s\x00]+$")]
MAX_ITEMS = 300


def charged(quantity: Decimal, unit_price: int) -> int:
    """What a line costs: quantity × unit price, rounded half up to the fen."""
    return int((quantity * unit_price).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class LineItem(Schema):
    category: ItemCategory
    code: str | None = text(64, default=None, description="the HIS's item code")
    name: str = text(100, min_length=1)
    spec: str | None = text(100, default=None, description="规格, e.g. 0.25g×24片")
    quantity: Quantity
    unit: str | None = text(16, default=None)
    unit_price: Fen
    amount: Fen = Field(description="quantity × unit_price, rounded half up to the fen")

    @field_validator("amount")
    @classmethod
    def amount_is_quantity_times_price(cls, value, info):
        quantity, price = info.data.get("quantity"), info.data.get("unit_price")
        if quantity is not None and price is not None and value != charged(quantity, price):
            raise ValueError(f"amount must be quantity × unit_price = {charged(quantity, price)}")
        return value


class BillIn(Schema):
    """An outpatient bill (FHIR Invoice): its lines, its total, who and where prescribed it."""

    identifier: HisId = Field(description="the HIS's bill number, unique in the institution")
    subject: PatientRef
    issued: Moment = Field(description="when the bill was made out")
    department: str = text(100, min_length=1)
    doctor: str | None = text(50, default=None, description="the prescribing doctor")
    lineItem: list[LineItem] = Field(min_length=1, max_length=MAX_ITEMS)
    total: PositiveFen = Field(description="the sum of the lines' amounts")

    @field_validator("total")
    @classmethod
    def total_is_the_sum(cls, value, info):
        items = info.data.get("lineItem")
        if items is not None and value != sum(i.amount for i in items):
            raise ValueError(
                f"total must be the sum of lineItem amounts = {sum(i.amount for i in items)}"
            )
        return value

    def content(self) -> dict:
        """What a repeated push is compared by (the patient is compared on its own: the HIS may
        name them by card number once and by id the next time)."""
        return self.model_dump(mode="json", exclude={"identifier", "subject"})


class BillPushed(Schema):
    identifier: str
    state: BillState
    total: int
    outcome: Literal["created", "updated", "unchanged", "cancelled"] = Field(
        description="created; updated (an unpaid bill replaced); unchanged (the same again); "
        "cancelled"
    )


class PaymentState(Schema):
    """How a bill was paid: its share of WeChat Pay, the deposit and medical insurance."""

    identifier: str
    state: BillState
    total: int = Field(description="fen")
    paid: bool
    method: Literal["", "wxpay", "deposit", "insurance", "mixed"]
    paid_wxpay: int
    paid_deposit: int
    paid_insurance: int
    paid_at: datetime | None
    out_trade_no: str | None = Field(description="our order number (商户订单号)")
    transaction_id: str | None = Field(description="WeChat Pay's transaction id, if it paid")
    invoice_number: str
    invoice_url: str


class InvoiceIn(Schema):
    """The bill's e-invoice (财政电子票据)."""

    number: str = text(64, min_length=1)
    url: Link


class Cancellation(Schema):
    reason: str | None = text(200, default=None)


class TopUpIn(Schema):
    """Money the patient handed over at the cashier's window, credited to their deposit. The
    receipt number makes it idempotent: the same receipt again changes nothing."""

    subject: PatientRef
    amount: PositiveFen
    channel: Literal[Channel.CASH, Channel.CARD, Channel.BANK]
    receipt_no: HisId = Field(description="the cashier's receipt number, unique in the institution")
    cashier: str = text(50, min_length=1, description="the cashier's name or staff number")
    reason: str | None = text(200, default=None)


class TopUpDone(Schema):
    receipt_no: str
    amount: int
    balance: int = Field(description="the deposit's balance now (fen)")
    outcome: Literal["created", "unchanged"]
