import pytest
from django.contrib.auth.models import Permission, User


def staff(username, institution, codenames):
    from carebridge.institutions.models import StaffMember

    user = User.objects.create_user(username, f"{username}@example.cn", "pw-12345-x", is_staff=True)
    StaffMember.objects.create(user=user, institution=institution)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


OPERATIONS = [
    f"{verb}_{model}"
    for verb in ("view", "add", "change", "delete")
    for model in ("healthday", "institutionevent", "calendarsettings", "pushplan", "plannedsend")
]


@pytest.fixture
def ops_wang(hospital):
    """An operations editor of the hospital (运营部): runs its push calendar."""
    return staff("ops_wang", hospital, OPERATIONS)


@pytest.fixture
def ops_zhao(other_hospital):
    """An operations editor of another hospital, who must see none of ours."""
    return staff("ops_zhao", other_hospital, OPERATIONS)


@pytest.fixture
def wang_client(client, ops_wang):
    client.force_login(ops_wang)
    return client


def department(institution, name):
    from carebridge.institutions.models import Campus, Department

    campus = Campus.objects.filter(institution=institution).first() or Campus.objects.create(
        institution=institution, name="本部", address="人民路1号", latitude=31.2, longitude=121.4
    )
    return Department.objects.create(institution=institution, campus=campus, name=name)


@pytest.fixture
def cardiology(hospital):
    return department(hospital, "心内科")


@pytest.fixture
def foreign_department(other_hospital):
    return department(other_hospital, "新华心内科")
