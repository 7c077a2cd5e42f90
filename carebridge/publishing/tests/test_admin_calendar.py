"""Editing health days and events in the back office: rules checked, institutions kept apart."""

import pytest
from django.urls import reverse

from carebridge.publishing.models import HealthDay, InstitutionEvent

ADD = reverse("admin:publishing_healthday_add")


def health_day_form(hospital, **fields):
    return {
        "institution": hospital.pk,
        "name": "世界无烟日测试",
        "name_en": "",
        "topic": "",
        "is_active": "on",
        "kind": "fixed",
        "month": "5",
        "day": "31",
        "end_month": "",
        "end_day": "",
        "nth": "",
        "weekday": "",
        **fields,
    }


@pytest.mark.django_db
def test_an_editor_adds_a_health_day_by_rule(wang_client, hospital):
    form = health_day_form(
        hospital,
        name="世界肾脏日（新）",
        kind="nth_weekday",
        day="",
        nth="2",
        weekday="3",
        month="3",
    )
    response = wang_client.post(ADD, form)
    assert response.status_code == 302
    assert HealthDay.objects.get(name="世界肾脏日（新）").dates(2026)[0].isoformat() == "2026-03-12"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"day": "31", "month": "2"},  # no such date
        {"kind": "nth_weekday", "day": "", "nth": "", "weekday": "3"},  # rule without nth
        {"kind": "span", "end_month": "4", "end_day": "1", "month": "4", "day": "15"},  # backwards
        {"month": "13"},
    ],
)
def test_a_bad_rule_is_a_form_error_and_saves_nothing(wang_client, hospital, fields):
    before = HealthDay.objects.count()
    response = wang_client.post(ADD, health_day_form(hospital, **fields))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert HealthDay.objects.count() == before


@pytest.mark.django_db
def test_an_event_ending_before_it_starts_is_refused(wang_client, hospital):
    response = wang_client.post(
        reverse("admin:publishing_institutionevent_add"),
        {
            "institution": hospital.pk,
            "title": "义诊",
            "title_en": "",
            "date": "2026-09-20",
            "end_date": "2026-09-01",
            "topic": "",
        },
    )
    assert response.status_code == 200 and "end_date" in response.context["adminform"].form.errors
    assert not InstitutionEvent.objects.exists()


@pytest.mark.django_db
def test_staff_see_only_their_institutions_health_days(client, ops_zhao, hospital, other_hospital):
    client.force_login(ops_zhao)
    ours = HealthDay.objects.filter(institution=hospital).first()
    listing = client.get(reverse("admin:publishing_healthday_changelist"))
    shown = {row.institution_id for row in listing.context["cl"].result_list}
    assert shown == {other_hospital.pk}
    assert client.get(reverse("admin:publishing_healthday_change", args=[ours.pk])).status_code in (
        302,
        404,
    )
    response = client.post(ADD, health_day_form(hospital))  # another institution's table
    assert (
        response.status_code == 200 and "institution" in response.context["adminform"].form.errors
    )


@pytest.mark.django_db
def test_every_institution_starts_with_the_default_list(hospital, other_hospital):
    names = set(HealthDay.objects.filter(institution=other_hospital).values_list("name", flat=True))
    assert {"世界卫生日", "全国爱眼日", "联合国糖尿病日", "全国肿瘤防治宣传周"} <= names
    assert HealthDay.objects.filter(institution=hospital).count() == len(names)
