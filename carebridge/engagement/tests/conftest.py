"""The consultations' personas besides the project's (alice, bob, other_hospital): the
hospital's departments, Dr Chen who answers the cardiology inbox, and Ms Xu of operations."""

import pytest
from django.contrib.auth.models import Permission, User

from carebridge.engagement.models import ConsultResponder
from carebridge.institutions.models import StaffMember

from .consult_helpers import departments


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
