"""Personas of the editorial workflow, at renai: erin edits and harry heads cardiology; paul
edits paediatrics; olivia and oscar are in operations."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from carebridge.content.actions import create_draft
from carebridge.content.models import EditorialMember, EditorialRole, RubricCriterion
from carebridge.institutions.models import Campus, Department, StaffMember

PERMISSION = {
    EditorialRole.EDITOR: "draft_article",
    EditorialRole.HEAD: "proofread_article",
    EditorialRole.OPERATIONS: "review_article",
}


def member(name, institution, role, department=None, follower=None):
    user = get_user_model().objects.create_user(name, password="x", is_staff=True)
    group, _ = Group.objects.get_or_create(name=str(role.label))
    group.permissions.add(
        Permission.objects.get(codename=PERMISSION[role]),
        *Permission.objects.filter(codename__in=["view_article", "change_article"]),
    )
    user.groups.add(group)
    staff = StaffMember.objects.create(user=user, institution=institution)
    EditorialMember.objects.create(staff=staff, role=role, department=department, follower=follower)
    return user


@pytest.fixture
def campus(hospital):
    return Campus.objects.create(
        institution=hospital, name="总院", address="人民路100号", latitude=31.23, longitude=121.47
    )


@pytest.fixture
def cardiology(hospital, campus):
    return Department.objects.create(institution=hospital, campus=campus, name="心内科")


@pytest.fixture
def paediatrics(hospital, campus):
    return Department.objects.create(institution=hospital, campus=campus, name="儿科")


@pytest.fixture
def erin(hospital, cardiology):
    return member("erin", hospital, EditorialRole.EDITOR, cardiology)


@pytest.fixture
def harry(hospital, cardiology):
    return member("harry", hospital, EditorialRole.HEAD, cardiology)


@pytest.fixture
def paul(hospital, paediatrics):
    return member("paul", hospital, EditorialRole.EDITOR, paediatrics)


@pytest.fixture
def olivia(hospital):
    return member("olivia", hospital, EditorialRole.OPERATIONS)


@pytest.fixture
def oscar(hospital):
    return member("oscar", hospital, EditorialRole.OPERATIONS)


@pytest.fixture
def rubric(hospital):
    names = ["准确性", "可读性", "排版", "时效性"]
    return [
        RubricCriterion.objects.create(institution=hospital, name=n, max_score=10, position=i)
        for i, n in enumerate(names)
    ]


@pytest.fixture
def draft(erin, hospital, cardiology):
    return create_draft(
        erin, hospital, cardiology, kind="education", category="health",
        title="高血压的日常管理", body="<p>每天量血压。</p>",
    )  # fmt: skip


def full_marks(rubric, points=10):
    return {c.pk: points for c in rubric}
