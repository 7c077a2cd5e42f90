"""Consultation statistics: the numbers per department on a small fixture, department staff
see their department only, another institution's consultations are never counted, a bad
period is a form error, the page's queries do not grow with the consultations, and the export."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carebridge.engagement.consult_stats import PeriodForm, department_stats, last_month
from carebridge.engagement.models import Consultation, ConsultChannel, ConsultStatus, Faq
from carebridge.patients.tests import factories

pytestmark = pytest.mark.django_db

URL = "/admin/engagement/consultation/stats/"
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def at(day, hour=10):
    return timezone.make_aware(datetime(2026, 3, day, hour))


def consult(follower, department, question, day=2, **fields):
    fields = {"created_at": at(day), "due_at": at(day, 14), **fields}
    return Consultation.objects.create(
        institution=follower.account.institution,
        account=follower.account,
        follower=follower,
        channel=ConsultChannel.WECHAT,
        question=question,
        department=department,
        routed_by="rules",
        **fields,
    )


@pytest.fixture
def march(alice, depts):
    heart, bone = depts["心血管内科"], depts["骨科"]
    answered = {"status": ConsultStatus.ANSWERED}
    consult(
        alice, heart, "最近心慌胸闷,血压高", answered_at=at(2, 11), reply_minutes=60, **answered
    )
    consult(
        alice, heart, "血压高要不要吃降压药", answered_at=at(3, 16), reply_minutes=480, **answered
    )
    consult(alice, heart, "补液后还要复查吗", answered_at=at(4, 16), reply_minutes=90, **answered)
    consult(alice, heart, "胸痛得厉害", urgent=True)  # waiting
    consult(alice, heart, "心电图报告在哪里看", status=ConsultStatus.AUTO, due_at=None)
    consult(alice, bone, "膝盖疼上下楼更明显")
    faq = Faq.objects.create(
        institution=alice.account.institution, key="knee", question="q", answer="a"
    )
    consult(alice, bone, "膝盖要拍片吗", faq=faq)  # answered by the FAQ, then asked for a person
    consult(alice, None, "挂号怎么退")  # triage
    # Outside the period: the last day of February and the first of April, Beijing time.
    consult(alice, heart, "二月的问题", created_at=timezone.make_aware(datetime(2026, 2, 28, 23)))
    consult(alice, heart, "四月的问题", created_at=timezone.make_aware(datetime(2026, 4, 1, 0)))
    return depts


def by_name(rows):
    return {r.name: r for r in rows}


def test_it_counts_each_department_in_the_period(march):
    rows = by_name(
        department_stats(Consultation.objects.all(), date(2026, 3, 1), date(2026, 3, 31))
    )
    heart = rows["心血管内科"]
    assert (heart.asked, heart.answered, heart.within_sla) == (5, 3, 1)
    assert (heart.auto, heart.urgent, heart.waiting) == (1, 1, 1)
    assert heart.within_sla_rate == 33.3
    assert heart.median_reply_minutes == 90  # of 60, 90 and 480 working minutes
    assert "血压高" in [w for w, _weight in heart.keywords]
    bone = rows["骨科"]
    assert (bone.asked, bone.waiting, bone.answered, bone.auto) == (2, 2, 0, 1)
    assert bone.within_sla_rate is None and bone.median_reply_minutes is None
    assert rows["待分诊"].asked == 1
    assert "儿科" not in rows  # no question there: no row


def test_the_default_period_is_last_month():
    assert last_month(date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert last_month(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
    form = PeriodForm({})
    assert form.is_valid()
    assert form.cleaned_data["start"] == last_month(timezone.localdate())[0]


def test_operations_see_every_department(client, ms_xu, march):
    client.force_login(ms_xu)
    page = client.get(URL, MARCH).content.decode()
    assert "心血管内科" in page and "骨科" in page and "待分诊" in page


def test_department_staff_see_their_department_only(client, dr_chen, march):
    client.force_login(dr_chen)
    page = client.get(URL, MARCH).content.decode()
    assert "心血管内科" in page
    assert "骨科" not in page and "待分诊" not in page and "膝盖" not in page


def test_another_institutions_consultations_are_never_counted(client, ms_xu, march, other_hospital):
    from carebridge.engagement.tests.conftest import _staff

    stranger = factories.follower(other_hospital.wechat_accounts.get(), "o-xinhua-stranger")
    for _ in range(3):
        consult(stranger, None, "别家医院的问题")
    client.force_login(ms_xu)
    response = client.get(URL, MARCH)
    assert "别家医院" not in response.content.decode()
    triage = by_name(response.context["rows"])["待分诊"]
    assert triage.asked == 1
    client.force_login(_staff(other_hospital, "xinhua_ops", None))
    rows = by_name(client.get(URL, MARCH).context["rows"])
    assert rows["待分诊"].asked == 3 and "心血管内科" not in rows


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-02-30"}, "start"),
        ({"start": "not-a-date", "end": "2026-03-01"}, "start"),
        ({"start": "2026-03-31", "end": "2026-03-01"}, "end"),
        ({"start": "2024-01-01", "end": "2026-03-01"}, "end"),
    ],
)
def test_a_bad_period_is_a_form_error(client, ms_xu, march, params, field):
    client.force_login(ms_xu)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["rows"] is None


def test_staff_without_the_permission_are_refused(client, hospital, django_user_model):
    from carebridge.institutions.models import StaffMember

    user = django_user_model.objects.create_user("clerk", password="pw-12345-long", is_staff=True)
    StaffMember.objects.create(user=user, institution=hospital)
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_the_queries_do_not_grow_with_the_consultations(client, ms_xu, march, alice):
    client.force_login(ms_xu)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, MARCH).status_code == 200
    for day in range(5, 25):
        for department in march.values():
            consult(alice, department, f"第{day}天的问题")
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL, MARCH).status_code == 200
    assert len(many) == len(few)


def test_the_changelist_links_the_statistics(client, ms_xu, march):
    client.force_login(ms_xu)
    page = client.get("/admin/engagement/consultation/").content.decode()
    assert reverse("admin:engagement_consultation_stats") in page


def test_the_export_has_the_pages_numbers(client, dr_chen, march):
    client.force_login(dr_chen)
    response = client.get(URL, {**MARCH, "format": "xlsx"})
    assert response["Content-Disposition"].endswith('consultations-20260301-20260331.xlsx"')
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:8] == ("心血管内科", 5, 3, 1, 1, 1, 1, 90)
    assert len(rows) == 2  # the header and dr_chen's one department


def test_the_page_is_translated_to_english(client, ms_xu, march):
    client.force_login(ms_xu)
    page = client.get(URL, MARCH, headers={"accept-language": "en"}).content.decode()
    assert "Consultation statistics" in page and "Answered in time" in page
