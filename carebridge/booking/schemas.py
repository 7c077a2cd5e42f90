"""API shapes (django-ninja); documented in the OpenAPI page at /api/docs."""

from datetime import date, datetime, time
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import WithJsonSchema

from carebridge.lib.api_input import Id, text
from carebridge.patients.references import PatientRef

# A time of day on the institution's clock (Asia/Shanghai), "08:00:00": JSON Schema's "time"
# format would demand an offset the API does not send.
ClockTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
            "description": "local time of day (Asia/Shanghai), HH:MM:SS",
        }
    ),
]


class Pool(Schema):
    channel: str
    capacity: int
    booked: int
    remaining: int


class SessionOut(Schema):
    id: int
    date: date
    period: str
    period_label: str
    clinic_type: str
    department_id: int
    department: str
    doctor_id: int | None
    doctor: str | None
    start_time: ClockTime
    end_time: ClockTime
    fee: int = Field(description="registration fee in fen (1/100 yuan)")
    capacity: int
    status: str = Field(description="open | suspended")
    released_at: datetime = Field(description="when booking opens for every channel")
    free_slots: int
    pools: list[Pool]


class SlotOut(Schema):
    id: int
    number: int = Field(description="queue number this slot gives")
    starts_at: datetime
    ends_at: datetime


class BookIn(Schema):
    session_id: Id
    slot_id: Id | None = Field(None, description="a free slot; omitted: the first free one")
    patient: PatientRef


class AppointmentOut(Schema):
    id: UUID = Field(description="the appointment's public id, used in its paths")
    session_id: int
    queue_number: int
    slot_starts_at: datetime
    slot_ends_at: datetime
    channel: str
    status: str
    payment_status: str
    fee: int
    patient_id: int | None
    patient_name: str = Field(description="masked (王*红)")
    checked_in_at: datetime | None
    called_at: datetime | None


class CheckInByCode(Schema):
    code: str = text(128, description="the text of the QR code on the patient's appointment page")


class CheckedIn(Schema):
    appointment: AppointmentOut
    position: int = Field(description="1 = next to be called")
    waiting: int
    estimated_wait_minutes: int


class QueueOut(Schema):
    session_id: int
    waiting: int
    minutes_per_patient: float
    estimated_wait_minutes: int = Field(description="for a patient checking in now")
    waiting_numbers: list[int]


class WhoAmI(Schema):
    client: str
    institution: str
    channel: str
    scopes: list[str] = Field(description="what this key may do: read, book, cancel-own…")
