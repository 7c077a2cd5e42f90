"""The shapes of the HIS feed (django-ninja), named after FHIR R4's DiagnosticReport, Observation
and Encounter so that a FHIR adapter maps them one to one; documented at /api/docs.

Every value is bounded (lib/api_input.py): a value outside its bounds is a 422 naming the field
before anything is read or written."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import SkipValidation, field_validator

from carebridge.lib.api_input import HisId, Moment, text
from carebridge.patients.choices import Sex
from carebridge.patients.references import PatientRef

from .choices import Flag, RangeType, ReportKind, ReportStatus, VisitStatus

# FHIR meta.versionId, here a positive integer: versions are ordered by it.
VersionNumber = Annotated[int, Field(strict=True, gt=0, le=2**31 - 1)]
Number = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=6, allow_inf_nan=False, description="up to 6 decimals"),
]
Years = Annotated[int, Field(strict=True, ge=0, le=150)]

MAX_ITEMS = 300
MAX_SECTIONS = 40
# Reports in one batch (POST /reports/batch): a LIS's minute of results, in one request.
MAX_BATCH = 100


class Meta(Schema):
    versionId: VersionNumber = Field(
        description="the HIS's version of this resource; a higher one replaces a lower one"
    )


class Code(Schema):
    """A CodeableConcept reduced to one code and its text."""

    code: str | None = text(64, default=None)
    text: str = text(200, min_length=1)


class Quantity(Schema):
    value: Number
    unit: str | None = text(32, default=None)


class AgeRange(Schema):
    """Completed years, both ends included (FHIR's Range of ages)."""

    low: Years | None = None
    high: Years | None = None


class ReferenceRange(Schema):
    low: Quantity | None = None
    high: Quantity | None = None
    type: RangeType = Field(
        RangeType.NORMAL, description="normal; or critical: beyond it a value is HH / LL (危急值)"
    )
    appliesTo: list[Sex] = Field(default_factory=list, max_length=2, description="sexes; [] both")
    age: AgeRange | None = None
    text: str | None = text(200, default=None, description="e.g. 阴性, or the range as printed")


class ObservationIn(Schema):
    code: Code
    valueQuantity: Quantity | None = None
    valueString: str | None = text(2000, default=None)
    referenceRange: list[ReferenceRange] = Field(default_factory=list, max_length=10)
    interpretation: Flag | None = Field(
        None, description="the HIS's flag; omitted: computed from the range fitting the patient"
    )
    note: str | None = text(500, default=None)

    @field_validator("valueString")
    @classmethod
    def one_value(cls, value, info):
        if value is not None and info.data.get("valueQuantity") is not None:
            raise ValueError("give valueQuantity or valueString, not both")
        return value


class Section(Schema):
    """One department's part of a check-up (体检): FHIR Composition.section."""

    title: str = text(100, min_length=1)
    performer: str | None = text(50, default=None)
    conclusion: str | None = text(4000, default=None)
    result: list[ObservationIn] = Field(default_factory=list, max_length=MAX_ITEMS)


class Media(Schema):
    link: str = Field(max_length=1000, pattern=r"^https?://[^\s\x00]+$")
    comment: str | None = text(200, default=None)


class ReportIn(Schema):
    """A DiagnosticReport. A lab report lists its items in ``result``; an imaging or other
    examination report has ``modality``, ``bodySite``, ``findings`` and ``conclusion`` (the
    impression); a check-up (category ``checkup``) has ``section``s, its summary in
    ``conclusion`` and its ``advice``."""

    identifier: HisId = Field(description="the HIS's id of the report")
    meta: Meta
    status: ReportStatus
    category: ReportKind
    code: Code = Field(description="the panel, examination or check-up package: 血常规, 胸部CT…")
    subject: PatientRef
    encounter: HisId | None = Field(None, description="the HIS's id of the visit, if any")
    effectiveDateTime: Moment | None = Field(None, description="specimen taken / exam done")
    issued: Moment | None = None
    performer: str | None = text(50, default=None, description="the reporting doctor")
    specimen: str | None = text(100, default=None)
    conclusion: str | None = text(8000, default=None)
    advice: str | None = text(8000, default=None, description="check-up advice (体检建议)")
    modality: str | None = text(16, default=None, description="CT, MR, US, DX, ECG…")
    bodySite: str | None = text(100, default=None)
    findings: str | None = text(8000, default=None)
    viewerUrl: str | None = Field(None, max_length=1000, pattern=r"^https?://[^\s\x00]+$")
    media: list[Media] = Field(default_factory=list, max_length=50)
    result: list[ObservationIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    section: list[Section] = Field(default_factory=list, max_length=MAX_SECTIONS)

    @field_validator("section")
    @classmethod
    def sections_in_checkups(cls, value, info):
        if value and info.data.get("category") not in (None, ReportKind.CHECKUP):
            raise ValueError("only a checkup report has sections")
        return value


class Withdrawal(Schema):
    reason: str | None = text(200, default=None)


class ReportPushed(Schema):
    identifier: str
    version: int = Field(description="the version this call sent (or withdrew)")
    current_version: int = Field(description="the report's newest version")
    outcome: Literal["created", "updated", "superseded", "unchanged", "withdrawn"] = Field(
        description="created: a new report; updated: a newer version; superseded: an older "
        "version, kept as history only; unchanged: already received"
    )
    status: ReportStatus = Field(description="the newest version's status")
    released_at: datetime | None = Field(
        description="when the patient may see the newest version (ahead of now: held)"
    )
    waiting_for: list[str] = Field(
        description="why it is not released: not_final, critical, doctor, withdrawn…"
    )


class BatchEntry(Schema):
    resource: SkipValidation[ReportIn] = Field(
        description="a report, exactly as POST /reports takes it; checked entry by entry, so "
        "that a malformed one is refused alone"
    )


class ReportBatch(Schema):
    """A FHIR Bundle of type ``batch``: reports pushed together, each on its own."""

    resourceType: Literal["Bundle"]
    type: Literal["batch"]
    entry: list[BatchEntry] = Field(min_length=1, max_length=MAX_BATCH)


class EntryOutcome(Schema):
    """Why an entry was refused: a refusal's ``code`` and ``message``, and for a malformed
    entry (``invalid``) the ``field`` at fault, as a path in the entry's resource."""

    code: str
    message: str
    field: str | None = None


class EntryResponse(Schema):
    status: str = Field(description='the entry\'s HTTP status, as FHIR writes it: "201 Created"')
    outcome: EntryOutcome | None = Field(None, description="only when the entry was refused")


class BatchEntryAnswer(Schema):
    resource: ReportPushed | None = Field(None, description="what POST /reports would answer")
    response: EntryResponse


class BatchAnswer(Schema):
    """A FHIR Bundle of type ``batch-response``: one entry per entry pushed, in their order."""

    resourceType: Literal["Bundle"] = "Bundle"
    type: Literal["batch-response"] = "batch-response"
    entry: list[BatchEntryAnswer]


class Period(Schema):
    start: Moment
    end: Moment | None = None

    @field_validator("end")
    @classmethod
    def not_before_start(cls, value, info):
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise ValueError("the end is before the start")
        return value


class Participant(Schema):
    name: str = text(50, min_length=1)


class DiagnosisIn(Schema):
    condition: Code = Field(description="ICD-10 code and its text")


class PrescriptionIn(Schema):
    medication: Code
    dosageInstruction: str | None = text(200, default=None)
    quantity: Quantity | None = None
    note: str | None = text(500, default=None)


class VisitIn(Schema):
    """An Encounter: the visit, its diagnoses and the prescription written at it."""

    identifier: HisId
    meta: Meta
    status: VisitStatus
    subject: PatientRef
    period: Period
    serviceType: Code = Field(description="the department")
    participant: list[Participant] = Field(default_factory=list, max_length=10)
    diagnosis: list[DiagnosisIn] = Field(default_factory=list, max_length=50)
    prescription: list[PrescriptionIn] = Field(default_factory=list, max_length=100)


class VisitPushed(Schema):
    identifier: str
    version: int = Field(description="the version now kept")
    outcome: Literal["created", "updated", "superseded", "unchanged"]
