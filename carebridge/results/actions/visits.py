"""A visit pushed by the HIS: created, or replaced whole by a newer version, never by an older
one. Reports that named the visit before it arrived are linked to it."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import PatientMismatch, VersionConflict
from ..models import Diagnosis, PrescriptionItem, Report, Visit
from ..schemas import VisitIn
from .content import content_hash


@transaction.atomic
def push_visit(institution, patient, data: VisitIn, *, api_client=None, now=None):
    """Store version ``data.meta.versionId`` of ``institution``'s visit ``data.identifier``;
    return (visit, outcome): created, updated, superseded (an older version: ignored) or
    unchanged. Raises a ResultsError, with nothing changed, on a contradiction."""
    now = now or timezone.now()
    digest = content_hash(data, patient)
    lookup = {"institution": institution, "identifier": data.identifier}
    visit = Visit.objects.select_for_update().filter(**lookup).first()
    outcome = "updated"
    if visit is None:
        visit, outcome = Visit(**lookup), "created"
    elif data.meta.versionId == visit.version:
        if visit.content_hash != digest:
            raise VersionConflict()
        return visit, "unchanged"
    elif visit.patient_id != patient.pk:
        raise PatientMismatch()
    elif data.meta.versionId < visit.version:
        return visit, "superseded"
    _fill(visit, patient, data, digest, api_client, now)
    if outcome == "created":
        try:
            with transaction.atomic():
                visit.save(force_insert=True)
        except IntegrityError:  # pushed at the same moment by another call: decide again
            return push_visit(institution, patient, data, api_client=api_client, now=now)
    else:
        visit.save()
        visit.diagnoses.all().delete()
        visit.prescription.all().delete()
    _write_items(visit, data)
    Report.objects.filter(
        institution=institution, patient=patient, encounter=data.identifier, visit=None
    ).update(visit=visit)
    return visit, outcome


def _fill(visit: Visit, patient, data: VisitIn, digest: str, api_client, now) -> None:
    visit.version = data.meta.versionId
    visit.content_hash = digest
    visit.patient = patient
    visit.status = data.status
    visit.started_at = data.period.start
    visit.ended_at = data.period.end
    visit.department_code = data.serviceType.code or ""
    visit.department = data.serviceType.text
    visit.doctor = "、".join(p.name for p in data.participant)[:200]
    visit.received_at = now
    visit.api_client = api_client


def _write_items(visit: Visit, data: VisitIn) -> None:
    Diagnosis.objects.bulk_create(
        Diagnosis(visit=visit, position=i, code=d.condition.code or "", name=d.condition.text)
        for i, d in enumerate(data.diagnosis)
    )
    PrescriptionItem.objects.bulk_create(
        PrescriptionItem(
            visit=visit,
            position=i,
            code=p.medication.code or "",
            name=p.medication.text,
            dosage=p.dosageInstruction or "",
            quantity=p.quantity.value if p.quantity else None,
            unit=(p.quantity.unit if p.quantity else None) or "",
            note=p.note or "",
        )
        for i, p in enumerate(data.prescription)
    )
