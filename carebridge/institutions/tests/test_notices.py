"""Suspension and visiting-expert notices: shown while current, only on the right pages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from carebridge.institutions.actions import create_doctor_notice
from carebridge.institutions.models import DoctorNotice, NoticeKind

pytestmark = pytest.mark.django_db


def notice(hospital, days, text, start=0, end=0, **kwargs):
    kwargs.setdefault("kind", NoticeKind.SUSPENSION)
    return create_doctor_notice(
        institution=hospital, starts_on=days(start), ends_on=days(end), text=text, **kwargs
    )


def doctor_page(client, doctor):
    return client.get(reverse("institutions:doctor", args=["renai", doctor.pk])).content.decode()


def department_page(client, department):
    path = reverse("institutions:department", args=["renai", department.pk])
    return client.get(path).content.decode()


class TestWhenANoticeShows:
    def test_a_notice_shows_from_publication_until_its_last_day(
        self, client, hospital, catalogue, days
    ):
        doctor = catalogue.zhang_san
        notice(hospital, days, "今日停诊", start=0, end=0, doctor=doctor)
        notice(hospital, days, "下周停诊", start=5, end=6, doctor=doctor)
        notice(hospital, days, "昨日停诊", start=-3, end=-1, doctor=doctor)
        html = doctor_page(client, doctor)
        assert "今日停诊" in html and "下周停诊" in html
        assert "昨日停诊" not in html

    def test_an_unpublished_notice_does_not_show(self, client, hospital, catalogue, days):
        notice(hospital, days, "草稿通知", doctor=catalogue.zhang_san, is_published=False)
        assert "草稿通知" not in doctor_page(client, catalogue.zhang_san)

    def test_current_is_judged_in_shanghai_time(self, hospital, catalogue, days, today):
        n = notice(hospital, days, "x", doctor=catalogue.zhang_san)
        assert list(DoctorNotice.objects.current(today=today)) == [n]
        assert list(DoctorNotice.objects.current(today=days(1))) == []


class TestWhereANoticeShows:
    def test_a_doctors_notice_shows_on_his_page_and_his_departments_page(
        self, client, hospital, catalogue, days
    ):
        notice(hospital, days, "张三医生停诊", doctor=catalogue.zhang_san)
        assert "张三医生停诊" in doctor_page(client, catalogue.zhang_san)
        assert "张三医生停诊" in department_page(client, catalogue.paeds)

    def test_it_does_not_show_on_another_doctors_or_departments_page(
        self, client, hospital, catalogue, days
    ):
        notice(hospital, days, "张三医生停诊", doctor=catalogue.zhang_san)
        assert "张三医生停诊" not in doctor_page(client, catalogue.shan)
        assert "张三医生停诊" not in department_page(client, catalogue.cardio)

    def test_a_department_notice_shows_only_on_the_department_page(
        self, client, hospital, catalogue, days
    ):
        notice(
            hospital,
            days,
            "外院专家来院出诊",
            kind=NoticeKind.VISITING_EXPERT,
            department=catalogue.cardio,
        )
        html = department_page(client, catalogue.cardio)
        assert "外院专家来院出诊" in html and "专家来院" in html
        assert "外院专家来院出诊" not in department_page(client, catalogue.paeds)
        assert "外院专家来院出诊" not in doctor_page(client, catalogue.li)

    def test_the_notice_shows_in_english(self, english, hospital, catalogue, days):
        notice(
            hospital, days, "张三医生停诊", text_en="Dr Zhang is away.", doctor=catalogue.zhang_san
        )
        html = doctor_page(english, catalogue.zhang_san)
        assert "Dr Zhang is away." in html and "Suspension" in html


class TestNoticeValidation:
    def test_a_notice_needs_a_doctor_or_a_department(self, hospital, catalogue, days):
        with pytest.raises(ValidationError) as error:
            notice(hospital, days, "无对象")
        assert "doctor" in error.value.message_dict
        assert not DoctorNotice.objects.exists()

    def test_its_period_cannot_end_before_it_starts(self, hospital, catalogue, days):
        with pytest.raises(ValidationError) as error:
            notice(hospital, days, "倒序", start=3, end=1, doctor=catalogue.zhang_san)
        assert "ends_on" in error.value.message_dict

    def test_another_institutions_doctor_is_refused(self, hospital, catalogue, other, days):
        with pytest.raises(ValidationError) as error:
            notice(hospital, days, "越界", doctor=other.doctor)
        assert "doctor" in error.value.message_dict
        assert not DoctorNotice.objects.exists()

    def test_the_doctor_must_work_in_the_department(self, hospital, catalogue, days):
        with pytest.raises(ValidationError) as error:
            notice(hospital, days, "错科室", doctor=catalogue.zhang_san, department=catalogue.icu)
        assert "department" in error.value.message_dict

    def test_the_database_refuses_a_notice_without_doctor_or_department(
        self, hospital, catalogue, days
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            DoctorNotice.objects.create(
                institution=hospital, kind="suspension", starts_on=days(0), ends_on=days(0)
            )

    def test_the_database_refuses_a_reversed_period(self, hospital, catalogue, days):
        with pytest.raises(IntegrityError), transaction.atomic():
            DoctorNotice.objects.create(
                institution=hospital,
                kind="suspension",
                doctor=catalogue.li,
                starts_on=days(2),
                ends_on=days(1),
            )
