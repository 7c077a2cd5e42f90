"""Booking's own persona, bob's patient, and a second hospital whose data nobody here may touch
(alice, her mother and bob are the project's: see the root conftest.py).

Dr Wang holds a morning session tomorrow with 4 places (WeChat 2, window 1, kiosk 1)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .helpers import make_session


@pytest.fixture
def campus(hospital):
    return hospital.campuses.create(
        name="总院", address="上海市普陀区同普路1117号", latitude="31.24", longitude="121.41"
    )


@pytest.fixture
def cardiology(hospital, campus):
    return hospital.departments.create(campus=campus, name="心内科", name_en="Cardiology")


@pytest.fixture
def dr_wang(hospital, cardiology):
    doctor = hospital.doctors.create(name="王建国", title="主任医师")
    doctor.departments.add(cardiology)
    return doctor


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def session(hospital, cardiology, dr_wang, tomorrow):
    return make_session(hospital, cardiology, dr_wang, tomorrow)


@pytest.fixture
def other_hospital(other_hospital):
    """The root conftest's 新华医院, with a paediatrician's session tomorrow."""
    inst = other_hospital
    campus = inst.campuses.create(name="本部", address="控江路", latitude="31.2", longitude="121.5")
    dept = inst.departments.create(campus=campus, name="儿科")
    doctor = inst.doctors.create(name="陈医生", title="副主任医师")
    doctor.departments.add(dept)
    inst.test_session = make_session(inst, dept, doctor, timezone.localdate() + timedelta(days=1))
    return inst
