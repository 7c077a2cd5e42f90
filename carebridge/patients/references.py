"""How a hospital system names a patient in the JSON API (booking, results): by our patient id,
by card number, or by ID type and number, of a patient registered through one of the
institution's WeChat accounts. A number is never stored or compared in clear: only its keyed
hash is looked up.

parse_patient_ref(ref)           -> ParsedRef, checked for form without the database, or
                                    InvalidPatientRef (400)
find_patient(request, inst, ref) -> the institution's Patient, or None; the look-up by a number
                                    is written to the audit log under the API client's name
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from carebridge.lib.api_input import Id, text
from carebridge.lib.api_refusals import ApiRefusal

from . import crypto
from .audit import log_access
from .choices import AccessAction
from .models import HASH_CARD, HASH_ID, Patient
from .validation import normalize_card_number, validate_id_number, validate_name


class PatientRef(Schema):
    """A patient. Give one of: ``patient_id``; ``card_number``; ``id_type`` + ``id_number`` of a
    patient registered through WeChat. A booking window may book someone with no WeChat account
    by giving ``name`` with ``id_type`` + ``id_number`` (a walk-in: the ID is checked and only its
    keyed hash is kept, to enforce one place per person per session); reports and visits are
    only for registered patients."""

    patient_id: Id | None = None
    card_number: str | None = text(64, default=None)
    id_type: str | None = text(
        32, default=None, description="resident_id, passport, hk_macau_permit…"
    )
    id_number: str | None = text(64, default=None)
    name: str | None = text(
        50, default=None, description="walk-in's name, when no registered patient"
    )


class InvalidPatientRef(ApiRefusal):
    status = 400
    default_message = _("请提供 patient_id、card_number,或 id_type 与 id_number")

    def __init__(self, code: str, message=None):
        self.code = code
        super().__init__(message)


class ParsedRef(NamedTuple):
    """``kind`` is "id" (``key`` the patient id), "card_number" or "id_number" (``key`` the
    number's keyed hash); ``name`` is a walk-in's name given with an ID number, else ""."""

    kind: str
    key: int | str
    name: str = ""


def parse_patient_ref(ref: PatientRef) -> ParsedRef:
    if ref.patient_id is not None:
        return ParsedRef("id", ref.patient_id)
    if ref.card_number:
        try:
            card = normalize_card_number(ref.card_number)
        except ValidationError as exc:
            raise InvalidPatientRef("invalid_card_number", exc.messages[0]) from None
        return ParsedRef("card_number", crypto.blind_index(HASH_CARD, card))
    if ref.id_type and ref.id_number:
        try:
            number = validate_id_number(ref.id_type, ref.id_number)
        except ValidationError as exc:
            raise InvalidPatientRef("invalid_id_number", exc.messages[0]) from None
        name = ref.name or ""
        if name.strip():
            try:
                name = validate_name(name)
            except ValidationError as exc:
                raise InvalidPatientRef("invalid_name", exc.messages[0]) from None
        return ParsedRef("id_number", crypto.blind_index(HASH_ID, number), name.strip())
    raise InvalidPatientRef("patient_required")


def find_patient(request, institution, ref: ParsedRef, by: str = "api") -> Patient | None:
    """The institution's active patient ``ref`` names, or None. A look-up by card or ID number
    is audited as a search, found or not, under ``by`` (the API, or a back-office page); an id
    is the caller's to check and show."""
    patients = Patient.objects.of_institution(institution)
    if ref.kind == "id":
        return patients.filter(pk=ref.key).first()
    # Two WeChat users may each have added the same person: the first added is the one named.
    found = patients.filter(**{f"{ref.kind}_hash": ref.key}).order_by("id").first()
    detail = f"{by} {request.method} {request.path}"
    log_access(request, [found], AccessAction.SEARCH, detail=detail)
    return found
