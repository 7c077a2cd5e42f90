"""Writes of the patients app: add, change, make default, remove. Views and the API only
translate input and call these; every refusal is a ValidationError keyed by form field."""

from dataclasses import dataclass, replace
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from carebridge.wechat.models import Follower

from . import crypto, phone, validation
from .choices import Relation
from .models import HASH_ID, Patient, PatientPolicy, full_years
from .queries import patients_of, policy_for
from .validation import field_error


@dataclass(frozen=True)
class PatientDetails:
    """What a user enters for a new patient (birth date and sex may come from the ID)."""

    name: str
    id_type: str
    id_number: str
    phone: str
    relation: str
    birth_date: date | None = None
    sex: str = ""
    card_number: str = ""

    def cleaned(self) -> "PatientDetails":
        """Normalised and checked (the same rules the form applies), or ValidationError."""
        errors = {}
        values = {}
        for field, check in (
            ("name", validation.validate_name),
            ("phone", validation.normalize_phone),
            ("card_number", validation.normalize_card_number),
        ):
            try:
                values[field] = check(getattr(self, field))
            except ValidationError as exc:
                errors[field] = exc.error_list
        try:
            number, born, sex = validation.clean_identity(
                self.id_type, self.id_number, self.birth_date, self.sex
            )
            values.update(id_number=number, birth_date=born, sex=sex)
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if self.relation not in Relation.values:
            errors["relation"] = _("请选择与本人的关系")
        if errors:
            raise ValidationError(errors)
        return replace(self, **values)


def check_policy(policy: PatientPolicy, follower, details: PatientDetails, today: date) -> None:
    """The institution's eligibility rules (seed 004: under 18, the child's own card)."""
    if not policy.accepts(details.id_type):
        accepted = "、".join(str(label) for _value, label in policy.accepted_id_type_choices())
        message = _("本院不接受该证件类型，请使用：%(types)s") % {"types": accepted}
        raise field_error("id_type", message, "id_type")
    if policy.max_age is not None and full_years(details.birth_date, today) >= policy.max_age:
        # The birth date of a GB 11643 number comes from the number: point at the number.
        field = "id_number" if details.id_type in validation.GB11643_TYPES else "birth_date"
        message = _("本院只接受未满%(age)s周岁的就诊人") % {"age": policy.max_age}
        raise field_error(field, message, "age")
    if patients_of(follower).count() >= policy.max_patients:
        message = _("每个微信用户最多添加%(count)s位就诊人") % {"count": policy.max_patients}
        raise field_error(NON_FIELD_ERRORS, message, "limit")
    duplicate = patients_of(follower).filter(
        id_number_hash=crypto.blind_index(HASH_ID, details.id_number)
    )
    if duplicate.exists():
        raise field_error("id_number", _("该证件号码的就诊人已添加"), "duplicate")


def add_patient(follower, details: PatientDetails, *, code: str = "") -> Patient:
    """Add a patient for ``follower``; the first one becomes the default.

    Order matters: the rules are checked before the code, so a refused patient does not burn
    an attempt; the code is checked in its own write (a wrong guess must stay counted), and
    spent in the same transaction that inserts the patient."""
    details = details.cleaned()
    policy = policy_for(follower)
    check_policy(policy, follower, details, timezone.localdate())
    verification = None
    if policy.require_phone_verification:
        verification = phone.check_phone_code(follower, details.phone, code)
    return _insert_patient(follower, policy, details, verification)


@transaction.atomic
def _insert_patient(follower, policy, details, verification) -> Patient:
    # Lock the owner: two parallel adds cannot both pass the count limit.
    Follower.objects.select_for_update().get(pk=follower.pk)
    check_policy(policy, follower, details, timezone.localdate())
    if verification is not None:
        phone.use_phone_code(verification)
    patient = Patient(
        owner=follower,
        name=details.name,
        sex=details.sex,
        birth_date=details.birth_date,
        id_type=details.id_type,
        relation=details.relation,
        is_default=not patients_of(follower).exists(),
        phone_verified_at=timezone.now() if verification else None,
    )
    patient.set_id_number(details.id_number)
    patient.set_phone(details.phone)
    patient.set_card_number(details.card_number)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as exc:  # the partial unique index caught a parallel duplicate
        raise field_error("id_number", _("该证件号码的就诊人已添加"), "duplicate") from exc
    return patient


def update_patient(
    patient: Patient, *, relation: str, new_phone: str = "", new_card_number: str = "", code=""
) -> Patient:
    """Change what may change after adding: relation, phone (proved again by a code when the
    institution requires it) and card number. Identity (name, document, birth) is fixed:
    a different person is a new patient."""
    errors = {}
    if new_phone:
        try:
            new_phone = validation.normalize_phone(new_phone)
        except ValidationError as exc:
            errors["new_phone"] = exc.error_list
    if new_card_number:
        try:
            new_card_number = validation.normalize_card_number(new_card_number)
        except ValidationError as exc:
            errors["new_card_number"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    phone_changes = bool(new_phone) and new_phone != patient.phone
    verification = None
    if phone_changes and policy_for(patient.owner).require_phone_verification:
        verification = phone.check_phone_code(patient.owner, new_phone, code)
    return _save_changes(
        patient, relation, new_phone if phone_changes else "", new_card_number, verification
    )


@transaction.atomic
def _save_changes(patient, relation, new_phone, new_card_number, verification) -> Patient:
    fields = ["relation", "updated_at"]
    patient.relation = relation
    if new_phone:
        if verification is not None:
            phone.use_phone_code(verification)
        patient.set_phone(new_phone)
        patient.phone_verified_at = timezone.now() if verification else None
        fields += ["phone", "phone_hash", "phone_verified_at"]
    if new_card_number:
        patient.set_card_number(new_card_number)
        fields += ["card_number", "card_number_hash"]
    patient.save(update_fields=fields)
    return patient


@transaction.atomic
def set_default_patient(patient: Patient) -> None:
    """Make ``patient`` its owner's only default."""
    Follower.objects.select_for_update().get(pk=patient.owner_id)
    patients_of(patient.owner).filter(is_default=True).exclude(pk=patient.pk).update(
        is_default=False
    )
    patient.is_default = True
    patient.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def remove_patient(patient: Patient) -> bool:
    """Delete a patient nothing refers to; archive one that appointments or audit entries
    protect (on_delete=PROTECT). Returns True when archived. The next patient becomes the
    default if this one was."""
    Follower.objects.select_for_update().get(pk=patient.owner_id)
    was_default = patient.is_default
    try:
        with transaction.atomic():
            patient.delete()
        archived = False
    except ProtectedError:
        patient.archived_at = timezone.now()
        patient.is_default = False
        patient.save(update_fields=["archived_at", "is_default", "updated_at"])
        archived = True
    if was_default:
        successor = patients_of(patient.owner).first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default", "updated_at"])
    return archived


def is_referenced(patient: Patient) -> bool:
    """Whether other rows (appointments, audit entries) protect this patient from deletion."""
    from django.contrib.admin.utils import NestedObjects

    collector = NestedObjects(using="default")
    collector.collect([patient])
    return bool(collector.protected)
