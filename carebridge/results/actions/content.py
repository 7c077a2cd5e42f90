"""A pushed report's content, written as rows: the version, its check-up sections and its
items, each item flagged for the patient it is about."""

import hashlib
import json

from django.utils import timezone

from ..choices import Flag
from ..flags import Range
from ..models import CheckupSection, Observation, ReportVersion
from ..schemas import ObservationIn, ReportIn


def content_hash(data, patient) -> str:
    """The digest of what a push says (the patient by id, however the HIS named them): the same
    version pushed again with the same digest changes nothing; with another, it is refused."""
    content = data.model_dump(mode="json", exclude={"subject"})
    content["subject"] = patient.pk
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def write_version(report, patient, data: ReportIn, digest: str, now, **source) -> ReportVersion:
    """The version's rows; ``source`` is ``api_client`` or ``entered_by``."""
    items = [(None, item) for item in data.result]
    items += [(i, item) for i, s in enumerate(data.section) for item in s.result]
    # Ranges by age are read at the patient's age when the specimen was taken.
    moment = data.effectiveDateTime or data.issued or now
    sex, age = patient.sex, patient.age_on(timezone.localtime(moment).date())
    observations = [observation(i, item, sex, age) for i, (_s, item) in enumerate(items)]
    version = ReportVersion.objects.create(
        report=report,
        version=data.meta.versionId,
        status=data.status,
        code=data.code.code or "",
        title=data.code.text,
        effective_at=data.effectiveDateTime,
        issued_at=data.issued,
        performer=data.performer or "",
        specimen=data.specimen or "",
        conclusion=data.conclusion or "",
        advice=data.advice or "",
        modality=data.modality or "",
        body_site=data.bodySite or "",
        findings=data.findings or "",
        viewer_url=data.viewerUrl or "",
        media=[m.model_dump(mode="json") for m in data.media],
        abnormal=any(o.flag in Flag.abnormal() for o in observations),
        critical=any(o.is_critical for o in observations),
        content_hash=digest,
        received_at=now,
        **source,
    )
    sections = CheckupSection.objects.bulk_create(
        CheckupSection(
            version=version,
            position=i,
            title=s.title,
            performer=s.performer or "",
            conclusion=s.conclusion or "",
        )
        for i, s in enumerate(data.section)
    )
    for row, (section, _item) in zip(observations, items, strict=True):
        row.version = version
        row.section = None if section is None else sections[section]
    Observation.objects.bulk_create(observations)
    return version


def observation(position: int, item: ObservationIn, sex, age) -> Observation:
    """An item's row, flagged, without its version yet."""
    row = Observation(
        position=position,
        code=item.code.code or "",
        name=item.code.text,
        value_quantity=item.valueQuantity.value if item.valueQuantity else None,
        value_string=item.valueString or "",
        unit=(item.valueQuantity.unit if item.valueQuantity else None) or "",
        reference_ranges=[stored_range(r) for r in item.referenceRange],
        his_flag=item.interpretation or "",
        note=item.note or "",
    )
    row.settle_flag(sex, age)
    return row


def stored_range(r) -> dict:
    return Range(
        type=str(r.type),
        low=r.low.value if r.low else None,
        high=r.high.value if r.high else None,
        text=r.text or "",
        applies_to=tuple(str(sex) for sex in r.appliesTo),
        age_low=r.age.low if r.age else None,
        age_high=r.age.high if r.age else None,
    ).to_stored()
