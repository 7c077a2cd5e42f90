"""The surveys' personas (alice, her mother, bob and 新华医院 are the project's: see the root
conftest.py): 心内科 with Dr Wang, alice's visit to him this morning (checked in at 08:30), and the
hospital's after-visit survey with a question of each kind, one branching on the first."""

import pytest

from carebridge.engagement.models import SurveyKind

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
