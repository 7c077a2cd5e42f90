"""Doctor-profile updates that departments must confirm (seed 001 §5: operations keep doctor
profiles current): a department editor proposes new values for a doctor of the department; the
proposal goes through the same workflow as an article, and only when it is published are the
values written to the institutions app's Doctor."""

from django.db import transaction
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from ..choices import ArticleCategory, ArticleKind, EditorialRole
from ..models import Article
from .workflow import WorkflowError, _log, _require

PROFILE_FIELDS = ["title", "title_en", "specialty", "specialty_en", "introduction"]
PROFILE_FIELDS += ["introduction_en"]


def _checked(doctor, changes: dict) -> dict:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if not changes or unknown:
        raise WorkflowError(_("只能修改医生的职称、擅长和简介。"), code="fields", field="changes")
    changes = {name: str(value).strip() for name, value in changes.items()}
    trial = type(doctor).objects.get(pk=doctor.pk)
    for name, value in changes.items():
        setattr(trial, name, value)
    trial.full_clean(exclude=["departments", "photo"], validate_unique=False)
    return changes


@transaction.atomic
def propose_doctor_profile(user, doctor, department, changes: dict) -> Article:
    """A draft proposing ``changes`` (field → new value) to ``doctor``'s profile, by an editor
    of ``department``, where the doctor works."""
    article = Article(institution_id=doctor.institution_id, department=department)
    _require(user, article, EditorialRole.EDITOR)
    if (
        department.institution_id != doctor.institution_id
        or not doctor.departments.filter(pk=department.pk).exists()
    ):
        raise WorkflowError(_("该医生不在本科室。"), code="doctor", field="doctor")
    changes = _checked(doctor, changes)
    rows = format_html_join(
        "", "<li>{}:{} → {}</li>",
        ((name, getattr(doctor, name), value) for name, value in changes.items()),
    )  # fmt: skip
    article.kind = ArticleKind.DOCTOR_PROFILE
    article.category = ArticleCategory.OTHER
    article.title = _("医生信息更新:%(name)s") % {"name": doctor.name}
    article.body = f"<ul>{rows}</ul>"
    article.doctor = doctor
    article.doctor_changes = changes
    article.created_by = user
    article.save()
    _log(article, "create", article.state, user)
    return article


def apply_profile_update(article) -> None:
    """Write the approved values to the doctor (on publication)."""
    doctor = article.doctor
    changes = _checked(doctor, article.doctor_changes)
    for name, value in changes.items():
        setattr(doctor, name, value)
    doctor.save(update_fields=list(changes))
