"""The back office: every list renders with its filters; staff see only their institution."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from carebridge.institutions.models import Doctor, DoctorNotice, StaffMember

pytestmark = pytest.mark.django_db

MODELS = ["institution", "wechataccount", "campus", "department", "doctor", "doctornotice"]


@pytest.fixture
def operator(db):
    """A superuser (the deployment's operator)."""
    user = get_user_model().objects.create_superuser("operator", password="x")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def charlie(hospital):
    """An operations editor of renai: staff, all catalogue permissions, renai only."""
    user = get_user_model().objects.create_user("charlie", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="institutions"))
    StaffMember.objects.create(user=user, institution=hospital)
    client = Client()
    client.force_login(user)
    return client


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders_with_search_and_filters(operator, catalogue, model):
    path = reverse(f"admin:institutions_{model}_changelist")
    assert operator.get(path).status_code == 200
    assert operator.get(path, {"q": "张"}).status_code == 200


def test_a_superuser_sees_every_institutions_doctors(operator, catalogue, other):
    response = operator.get(reverse("admin:institutions_doctor_changelist"))
    assert other.doctor in response.context["cl"].result_list


def test_staff_see_only_their_institutions_rows(charlie, catalogue, other):
    for model in MODELS:
        response = charlie.get(reverse(f"admin:institutions_{model}_changelist"))
        assert response.status_code == 200
        institutions = {
            getattr(obj, "institution_id", getattr(obj, "pk", None))
            for obj in response.context["cl"].result_list
        }
        assert other.institution.pk not in institutions, model


def test_staff_cannot_open_another_institutions_doctor(charlie, catalogue, other):
    path = reverse("admin:institutions_doctor_change", args=[other.doctor.pk])
    response = charlie.get(path)
    assert response.status_code == 302  # the admin's "doesn't exist" redirect to the index
    assert charlie.post(path, {"name": "改名"}).status_code == 302
    other.doctor.refresh_from_db()
    assert other.doctor.name == "张三"


def test_staff_are_offered_only_their_institutions_choices(charlie, catalogue, other):
    form = charlie.get(reverse("admin:institutions_doctor_add")).context["adminform"].form
    assert list(form.fields["institution"].queryset) == [catalogue.paeds.institution]
    assert other.department not in form.fields["departments"].queryset
    assert catalogue.paeds in form.fields["departments"].queryset


def test_staff_cannot_put_a_doctor_in_another_institutions_department(charlie, catalogue, other):
    response = charlie.post(
        reverse("admin:institutions_doctor_add"),
        {
            "institution": catalogue.paeds.institution_id,
            "name": "新医生",
            "title": "医师",
            "departments": [other.department.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert "departments" in response.context["adminform"].form.errors
    assert not Doctor.objects.filter(name="新医生").exists()


def test_a_doctor_with_a_photo_is_added_and_gets_search_keys(
    operator, catalogue, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = operator.post(
        reverse("admin:institutions_doctor_add"),
        {
            "institution": catalogue.paeds.institution_id,
            "name": "单田芳",
            "title": "主任医师",
            "photo": png(),
            "departments": [catalogue.paeds.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    doctor = Doctor.objects.get(name="单田芳")
    assert doctor.photo.name.startswith("doctors/")
    assert (tmp_path / doctor.photo.name).exists()
    assert (doctor.name_pinyin, doctor.name_initials_alt) == ("shantianfang", "dtf")


def test_a_non_image_photo_is_refused(operator, catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("photo.png", b"not an image", content_type="image/png")
    response = operator.post(
        reverse("admin:institutions_doctor_add"),
        {
            "institution": catalogue.paeds.institution_id,
            "name": "坏照片",
            "title": "医师",
            "photo": bad,
            "departments": [catalogue.paeds.pk],
        },
    )
    assert response.status_code == 200
    assert "photo" in response.context["adminform"].form.errors
    assert not Doctor.objects.filter(name="坏照片").exists()


def test_a_notice_form_refuses_a_doctor_outside_the_department(operator, catalogue, today):
    response = operator.post(
        reverse("admin:institutions_doctornotice_add"),
        {
            "institution": catalogue.paeds.institution_id,
            "kind": "suspension",
            "doctor": catalogue.zhang_san.pk,
            "department": catalogue.icu.pk,
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "text": "停诊",
            "is_published": "on",
        },
    )
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors
    assert not DoctorNotice.objects.exists()


def test_notices_are_withdrawn_in_bulk(operator, hospital, catalogue, today):
    notice = DoctorNotice.objects.create(
        institution=hospital,
        kind="suspension",
        doctor=catalogue.li,
        starts_on=today,
        ends_on=today,
        text="停诊",
    )
    operator.post(
        reverse("admin:institutions_doctornotice_changelist"),
        {"action": "withdraw", "_selected_action": [notice.pk]},
    )
    notice.refresh_from_db()
    assert notice.is_published is False


def test_staff_without_an_institution_see_nothing(catalogue):
    user = get_user_model().objects.create_user("dave", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="institutions"))
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:institutions_doctor_changelist"))
    assert list(response.context["cl"].result_list) == []


def test_staff_cannot_change_their_institutions_slug_or_switch_it_off(charlie, hospital):
    path = reverse("admin:institutions_institution_change", args=[hospital.pk])
    response = charlie.post(
        path,
        {
            "name": "仁爱医院(新)",
            "slug": "hijack",
            "is_active": "",
            "campuses-TOTAL_FORMS": 0,
            "campuses-INITIAL_FORMS": 0,
            "wechat_accounts-TOTAL_FORMS": 0,
            "wechat_accounts-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    hospital.refresh_from_db()
    assert (hospital.name, hospital.slug, hospital.is_active) == ("仁爱医院(新)", "renai", True)


def test_staff_cannot_manage_staff_memberships(charlie):
    charlie_user = get_user_model().objects.get(username="charlie")
    charlie_user.user_permissions.add(*Permission.objects.filter(codename__endswith="staffmember"))
    response = charlie.get(reverse("admin:institutions_staffmember_changelist"))
    assert response.status_code == 403


def test_an_institution_has_a_region_type_for_the_commissions_comparisons(operator, hospital):
    from django.core.exceptions import ValidationError

    from carebridge.institutions.models import Institution, RegionType

    assert RegionType.values == ["urban", "suburban", "outer_suburban"]
    assert hospital.region_type == "urban"  # the default
    response = operator.post(
        reverse("admin:institutions_institution_add"),
        {
            "name": "枫桥社区卫生服务中心",
            "slug": "fengqiao-chc",
            "kind": "community",
            "region_type": "outer_suburban",
            "is_active": "on",
            "campuses-TOTAL_FORMS": "0",
            "campuses-INITIAL_FORMS": "0",
            "wechat_accounts-TOTAL_FORMS": "0",
            "wechat_accounts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    centre = Institution.objects.get(slug="fengqiao-chc")
    assert (centre.kind, centre.region_type) == ("community", "outer_suburban")
    listed = operator.get(
        reverse("admin:institutions_institution_changelist"), {"region_type": "outer_suburban"}
    )
    assert [i.slug for i in listed.context["cl"].queryset] == ["fengqiao-chc"]
    centre.region_type = "downtown"
    with pytest.raises(ValidationError) as error:
        centre.full_clean()
    assert "region_type" in error.value.message_dict
    assert Institution.objects.get(slug="fengqiao-chc").region_type == "outer_suburban"
