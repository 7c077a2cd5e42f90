"""The results app's personas besides the project's (alice, her mother, bob: the root
conftest.py): bob's own patient, Dr Li the clinician who acknowledges critical values and
releases held reports, and a second hospital whose key must find nothing here."""

import pytest
from django.contrib.auth.models import Permission, User

from carebridge.integrations.models import Scope
from carebridge.integrations.tests import keys


def make_key(institution, name="HIS", scopes=(Scope.REPORTS_PUSH,)):
    return keys.make_key(institution, scopes, name)


@pytest.fixture
def his_key(hospital):
    return make_key(hospital)


@pytest.fixture
def foreign_key(other_hospital):
    return make_key(other_hospital, name="新华HIS")


@pytest.fixture
def dr_li(hospital):
    """A clinician of the hospital: in the back office, she works its critical values and its
    held reports."""
    from carebridge.institutions.models import StaffMember

    user = User.objects.create_user("dr_li", "li@renai.example.cn", "pw-dr-li-12345", is_staff=True)
    StaffMember.objects.create(user=user, institution=hospital)
    codenames = [
        "view_report",
        "view_reportversion",
        "view_criticalvalue",
        "change_criticalvalue",
        "view_heldreport",
        "change_heldreport",
    ]
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="results", codename__in=codenames)
    )
    return user
