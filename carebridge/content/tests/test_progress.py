"""Operations' progress page: counts, the month's quality ranking, Excel, constant queries."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carebridge.content.actions import (
    approve_proofreading,
    create_draft,
    review_article,
    submit_draft,
)
from carebridge.content.progress import department_progress
from carebridge.institutions.models import Department

from .workflow_personas import EditorialRole, full_marks, member

pytestmark = pytest.mark.django_db

PROGRESS = "admin:content_article_progress"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def reviewed(editor, head, ops, department, rubric, points, due_at=None):
    article = create_draft(
        editor, department.institution, department, due_at=due_at, kind="education",
        category="health", title=f"{department.name}稿件", body="<p>x</p>",
    )  # fmt: skip
    submit_draft(editor, article)
    approve_proofreading(head, article)
    review_article(ops, article, full_marks(rubric, points))
    return article


@pytest.fixture
def paediatrics_head(hospital, paediatrics):
    return member("penny", hospital, EditorialRole.HEAD, paediatrics)


def test_counts_and_ranking(
    hospital, cardiology, paediatrics, erin, harry, paul, paediatrics_head, olivia, rubric
):
    past = timezone.now() - timedelta(days=1)
    create_draft(erin, hospital, cardiology, due_at=past, title="迟", body="x",
                 kind="news", category="operations")  # fmt: skip
    late = create_draft(erin, hospital, cardiology, title="审校中", body="x",
                        kind="news", category="operations")  # fmt: skip
    submit_draft(erin, late)
    reviewed(erin, harry, olivia, cardiology, rubric, 9)
    reviewed(paul, paediatrics_head, olivia, paediatrics, rubric, 5, due_at=past)
    rows = department_progress(hospital, timezone.localdate())
    first, second = rows
    assert (first.department, first.rank, first.mean_score, first.verdict) == (
        cardiology,
        1,
        90,
        "reward",
    )
    assert (first.due, first.proofreading, first.overdue) == (1, 1, 1)
    assert (second.department, second.mean_score, second.on_time_rate) == (paediatrics, 50, 0)
    assert second.verdict == "penalty"


def test_last_months_reviews_are_not_this_months(hospital, cardiology, erin, harry, olivia, rubric):
    reviewed(erin, harry, olivia, cardiology, rubric, 9)
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)
    (row,) = department_progress(hospital, next_month)
    assert row.reviewed == 0 and row.rank is None


def test_the_page_and_excel(hospital, cardiology, erin, harry, olivia, rubric):
    reviewed(erin, harry, olivia, cardiology, rubric, 8)
    page = logged_in(olivia).get(reverse(PROGRESS))
    assert page.status_code == 200 and "心内科" in page.content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    xlsx = logged_in(olivia).get(reverse("admin:content_article_progress_xlsx"), {"month": month})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][:2] == [1, "心内科"] and sheet["G2"].value == 80


def test_a_formula_in_a_department_name_stays_text(hospital, campus, olivia):
    Department.objects.create(institution=hospital, campus=campus, name='=HYPERLINK("x")')
    xlsx = logged_in(olivia).get(reverse("admin:content_article_progress_xlsx"))
    cell = load_workbook(BytesIO(xlsx.content)).active["B2"]
    assert cell.data_type == "s"


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026"])
def test_a_bad_month_is_a_400_naming_the_field(olivia, month):
    page = logged_in(olivia).get(reverse(PROGRESS), {"month": month})
    assert page.status_code == 400 and "月份" in page.content.decode()


def test_editors_are_refused(erin):
    assert logged_in(erin).get(reverse(PROGRESS)).status_code == 403


def test_another_institutions_departments_are_not_shown(hospital, cardiology, olivia, db):
    from carebridge.institutions.models import Institution

    other = Institution.objects.create(slug="other", name="别家医院")
    Department.objects.create(institution=other, campus=cardiology.campus, name="别家科室")
    page = logged_in(olivia).get(reverse(PROGRESS)).content.decode()
    assert "别家科室" not in page and "心内科" in page


@pytest.mark.parametrize("departments", [2, 20])
def test_the_page_queries_are_constant(
    hospital, campus, erin, harry, olivia, rubric, departments, django_assert_max_num_queries
):
    for i in range(departments):
        department = Department.objects.create(institution=hospital, campus=campus, name=f"科{i}")
        member(f"e{i}", hospital, EditorialRole.EDITOR, department)
        create_draft(
            type(erin).objects.get(username=f"e{i}"), hospital, department, kind="news",
            category="other", title="x", body="x", due_at=timezone.now(),
        )  # fmt: skip
    client = logged_in(olivia)
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse(PROGRESS), {"month": date.today().strftime("%Y-%m")}).status_code
            == 200
        )
