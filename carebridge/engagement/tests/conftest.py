"""The engagement app's personas besides the project's (alice, her mother, bob, 新华医院: see the
root conftest.py).

Surveys: 心内科 with Dr Wang, alice's visit to him on the last morning (checked in at 08:30, less
than a day ago), and the hospital's after-visit survey with a question of each kind, one
branching on the first.
Consultations: the hospital's departments, Dr Chen who answers the cardiology inbox, and Ms Xu
of operations."""

import pytest
from django.contrib.auth.models import Permission, User

from carebridge.engagement.models import ConsultResponder, SurveyKind
from carebridge.institutions.models import StaffMember

from .consult_helpers import departments
from .helpers import make_survey, visit


@pytest.fixture
def cardiology(hospital):
    campus = hospital.campuses.create(
        name="总院", address="同普路1117号", latitude="31.24", longitude="121.41"
    )
    return hospital.departments.create(campus=campus, name="心内科", name_en="Cardiology")


@pytest.fixture
def dr_wang(hospital, cardiology):
    doctor = hospital.doctors.create(name="王建国", title="主任医师")
    doctor.departments.add(cardiology)
    return doctor


@pytest.fixture
def alice_visit(alice, alice_self, cardiology, dr_wang):
    return visit(alice_self, alice, cardiology, dr_wang)


@pytest.fixture
def survey(hospital):
    return make_survey(hospital)


@pytest.fixture
def general_survey(hospital):
    return make_survey(hospital, kind=SurveyKind.GENERAL)


@pytest.fixture
def depts(hospital, account):
    account.verified = True
    account.account_type = "service"
    account.save(update_fields=["verified", "account_type"])
    return departments(hospital)


def _staff(hospital, username, department):
    user = User.objects.create_user(
        username, f"{username}@renai.example.cn", "pw-12345-long", is_staff=True
    )
    member = StaffMember.objects.create(user=user, institution=hospital)
    ConsultResponder.objects.create(staff=member, department=department)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="engagement",
            codename__in=["view_consultation", "change_consultation"],
        )
    )
    return user


@pytest.fixture
def dr_chen(hospital, depts):
    """Answers 心血管内科's consultations, and no other department's."""
    return _staff(hospital, "dr_chen", depts["心血管内科"])


@pytest.fixture
def ms_xu(hospital, depts):
    """Operations: every department's consultations and the triage queue."""
    return _staff(hospital, "ms_xu", None)
