"""Taking the TCM constitution questionnaire for one of the account's patients."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import constitution as standard
from ..models import ConstitutionResult


class ConstitutionError(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


def read_items(patient, data) -> dict[str, int]:
    """The 60 answers of the form (``data`` maps item keys to "1"…"5"), or ConstitutionError
    naming each item missing or out of range."""
    answers, errors = {}, {}
    for item in standard.items_for(patient.sex):
        value = (data.get(item.key) or "").strip()
        if value not in {"1", "2", "3", "4", "5"}:
            errors[item.key] = _("请选择一项")
            continue
        answers[item.key] = int(value)
    if errors:
        raise ConstitutionError(_("还有 %(n)d 题未作答") % {"n": len(errors)}, errors)
    return answers


@transaction.atomic
def record_constitution(patient, data, now=None) -> ConstitutionResult:
    """Score the answers by the standard and keep the result in the patient's record. The
    caller has found ``patient`` among the user's own (patients.queries.get_patient_for)."""
    answers = read_items(patient, data)
    assessment = standard.assess(answers, patient.sex)
    return ConstitutionResult.objects.create(
        patient=patient,
        sex=patient.sex,
        answers=answers,
        scores={k: str(v) for k, v in assessment.scores.items()},
        verdicts=assessment.verdicts,
        created_at=now or timezone.now(),
    )
