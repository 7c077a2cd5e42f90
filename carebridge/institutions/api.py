"""Read-only, public JSON API of an institution's catalogue: departments and doctors.

No patient data, so no key and no scope: kiosks, the hospital website and HIS read the same
data the H5 pages show. The path names the institution by its slug. An unknown slug or id is a
404; a malformed one (an id beyond 64 bits, a slug with a NUL) a 422 naming the parameter.
"""

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from carebridge.lib.api_input import MAX_ID, NO_NUL, SLUG, IdParam

from .models import Department, Doctor, Institution
from .search import MAX_QUERY_LENGTH, ranked

router = Router(tags=["institutions"])

# An institution's slug in a path (Institution.slug is a SlugField of 50).
Slug = Path(..., max_length=50, pattern=SLUG)


class NotFoundOut(Schema):
    detail: str


class Pages(LimitOffsetPagination):
    """Ninja's limit/offset pages, with a limit and an offset a database can take."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=MAX_ID)


class DepartmentOut(Schema):
    id: int
    name: str
    name_en: str
    campus_id: int
    campus_name: str = Field(..., alias="campus.name")
    location: str
    location_en: str
    introduction: str
    introduction_en: str


class DoctorOut(Schema):
    id: int
    name: str
    name_en: str
    title: str
    title_en: str
    specialty: str
    specialty_en: str
    introduction: str
    introduction_en: str
    photo_url: str | None
    department_ids: list[int]

    @staticmethod
    def resolve_photo_url(doctor, context):
        if not doctor.photo:
            return None
        return context["request"].build_absolute_uri(doctor.photo.url)

    @staticmethod
    def resolve_department_ids(doctor):
        return [d.pk for d in doctor.departments.all()]


class DoctorFilters(Schema):
    department: IdParam | None = Field(None, description="Only doctors working in this department")
    q: str | None = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        pattern=NO_NUL,
        description="Name, pinyin, initials (zs) or specialty; results ranked by match",
    )


def _institution(slug):
    return get_object_or_404(Institution, slug=slug, is_active=True)


def _departments(institution):
    return Department.objects.filter(institution=institution, is_active=True).select_related(
        "campus"
    )


def _doctors(institution):
    return Doctor.objects.filter(institution=institution, is_active=True).prefetch_related(
        "departments"
    )


@router.get(
    "/{slug}/departments",
    response={200: list[DepartmentOut], 404: NotFoundOut},
    summary="List an institution's departments",
)
@paginate(Pages)
def list_departments(request, slug: str = Slug, campus: IdParam | None = None):
    departments = _departments(_institution(slug)).order_by("campus__position", "position", "id")
    if campus is not None:
        departments = departments.filter(campus_id=campus)
    return departments


@router.get(
    "/{slug}/departments/{department_id}",
    response={200: DepartmentOut, 404: NotFoundOut},
    summary="One department",
)
def get_department(request, department_id: IdParam, slug: str = Slug):
    return get_object_or_404(_departments(_institution(slug)), pk=department_id)


@router.get(
    "/{slug}/doctors",
    response={200: list[DoctorOut], 404: NotFoundOut},
    summary="List or search doctors",
)
@paginate(Pages)
def list_doctors(request, filters: Query[DoctorFilters], slug: str = Slug):
    doctors = _doctors(_institution(slug))
    if filters.department is not None:
        doctors = doctors.filter(departments=filters.department)
    if filters.q and filters.q.strip():
        return list(ranked(doctors, filters.q, specialty=True))  # best match first
    return doctors


@router.get(
    "/{slug}/doctors/{doctor_id}",
    response={200: DoctorOut, 404: NotFoundOut},
    summary="One doctor",
)
def get_doctor(request, doctor_id: IdParam, slug: str = Slug):
    return get_object_or_404(_doctors(_institution(slug)), pk=doctor_id)
