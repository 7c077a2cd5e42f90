"""A small catalogue for the demo hospital (renai) and another institution whose rows must
never show on renai's pages."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from carebridge.institutions.models import (
    Campus,
    Department,
    Doctor,
    Institution,
    WeChatAccount,
)


@pytest.fixture
def catalogue(hospital, account):
    main = Campus.objects.create(
        institution=hospital,
        name="总院",
        name_en="Main Campus",
        address="上海市黄浦区人民路100号",
        address_en="100 Renmin Road, Huangpu, Shanghai",
        latitude=Decimal("31.230416"),
        longitude=Decimal("121.473701"),
        phone="021-12345678",
        opening_hours="周一至周五 8:00-17:00",
        opening_hours_en="Mon-Fri 8:00-17:00",
        transport="地铁10号线豫园站1号口",
        nearby="停车场、银行、酒店",
        position=1,
    )
    east = Campus.objects.create(
        institution=hospital,
        name="东院",
        address="上海市浦东新区东方路200号",
        latitude=Decimal("31.221000"),
        longitude=Decimal("121.530000"),
        position=2,
    )
    paeds = Department.objects.create(
        institution=hospital,
        campus=main,
        name="儿科",
        name_en="Paediatrics",
        introduction="儿科门诊与病房。",
        introduction_en="Children's clinic and ward.",
        location="门诊楼2层",
        location_en="Outpatient building, 2F",
    )
    cardio = Department.objects.create(
        institution=hospital, campus=main, name="心血管内科", name_en="Cardiology"
    )
    icu = Department.objects.create(institution=hospital, campus=east, name="重症医学科")

    def doctor(name, departments, **fields):
        d = Doctor.objects.create(institution=hospital, name=name, title="主任医师", **fields)
        d.departments.set(departments)
        return d

    zhang_san = doctor(
        "张三", [paeds], name_en="Zhang San", title_en="Chief Physician", specialty="小儿哮喘"
    )
    return SimpleNamespace(
        main=main,
        east=east,
        paeds=paeds,
        cardio=cardio,
        icu=icu,
        zhang_san=zhang_san,
        zhang_wei=doctor("张伟", [cardio], specialty="冠心病、高血压"),
        shan=doctor("单小明", [paeds]),
        zeng=doctor("曾志伟", [icu]),
        ou=doctor("区伟", [icu]),
        zhu=doctor("朱红", [cardio]),
        wang=doctor("王心怡", [paeds]),
        li=doctor("李四", [cardio], specialty="心律失常"),
    )


@pytest.fixture
def other(db):
    """Another institution with the same kind of rows (and a doctor also called 张三)."""
    institution = Institution.objects.create(slug="other", name="别家医院")
    account = WeChatAccount.objects.create(institution=institution, slug="other", name="别家")
    campus = Campus.objects.create(
        institution=institution, name="本部", address="别处", latitude=30, longitude=120
    )
    department = Department.objects.create(institution=institution, campus=campus, name="儿科")
    doctor = Doctor.objects.create(institution=institution, name="张三", title="主治医师")
    doctor.departments.set([department])
    return SimpleNamespace(
        institution=institution, account=account, department=department, doctor=doctor
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def days(today):
    return lambda n: today + timedelta(days=n)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
