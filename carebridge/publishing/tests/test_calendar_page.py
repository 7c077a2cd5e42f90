"""The operations calendar: a month of occasions, last year's articles, one-click drafts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from carebridge.content.models import Article
from carebridge.publishing.actions.plans import PlanRefused, plan_push
from carebridge.publishing.models import CalendarSettings, PushPlan

CALENDAR = reverse("admin:publishing_calendar")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def early_march_2026(monkeypatch):
    """The page is seen on 1 March 2026, before 2026's 清明 and after 2025's."""
    moment = datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def article(hospital, title, day, published=True):
    return Article.objects.create(
        institution=hospital,
        kind="education",
        category="health",
        title=title,
        body="…",
        is_published=published,
        published_at=datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI),
    )


def plan_form(**fields):
    return {
        "occasion": "term:清明",
        "year": "2026",
        "topic": "清明踏青，注意过敏",
        "due_date": "2026-03-20",
        **fields,
    }


@pytest.mark.django_db
def test_the_month_shows_terms_holidays_and_health_days_in_chinese(wang_client):
    page = wang_client.get(CALENDAR, {"month": "2026-04"})
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("清明", "谷雨", "世界卫生日", "全国肿瘤防治宣传周", "清明节"):
        assert name in text
    assert "生成草稿" in text
    assert "尚未收录" not in text


@pytest.mark.django_db
def test_a_year_without_holiday_data_carries_a_warning(wang_client):
    page = wang_client.get(CALENDAR, {"month": "2099-01"})
    assert page.status_code == 200 and "尚未收录" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-13", "april", "1999-01", "2026-4-1"])
def test_a_bad_month_is_a_400_naming_the_parameter(wang_client, month):
    response = wang_client.get(CALENDAR, {"month": month})
    assert response.status_code == 400 and "month" in response.content.decode()


@pytest.mark.django_db
def test_last_years_article_for_the_occasion_is_shown(wang_client, hospital):
    article(hospital, "清明时节话养生", date(2025, 4, 2))
    article(hospital, "清明草稿", date(2025, 4, 2), published=False)
    article(hospital, "清明的旧文", date(2024, 4, 2))  # two years ago
    page = wang_client.get(CALENDAR, {"month": "2026-04"}).content.decode()
    assert "清明时节话养生" in page
    assert "清明草稿" not in page and "清明的旧文" not in page


@pytest.mark.django_db
def test_an_article_a_plan_produced_last_year_counts_whatever_its_title(
    hospital, cardiology, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 8, 1, 9, tzinfo=SHANGHAI))
    plan = plan_push(
        hospital,
        occasion_key=f"health:{hospital.health_days.get(name='世界心脏日').pk}",
        year=2025,
        topic="护心有方",
        department=cardiology,
        due_date=date(2025, 9, 1),
    )
    Article.objects.filter(pk=plan.article_id).update(is_published=True)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 8, 1, 9, tzinfo=SHANGHAI))
    from carebridge.publishing.month import build_month

    month = build_month(hospital, 2026, 9, today=date(2026, 8, 1))
    (heart,) = [e for e in month.entries if e.occasion.name == "世界心脏日"]
    assert [a.title for a in heart.last_year] == ["护心有方"]
    assert heart.due_date == date(2026, 9, 8)  # 21 days ahead by default


@pytest.mark.django_db
def test_the_lead_time_is_configurable(hospital):
    from carebridge.publishing.month import build_month

    CalendarSettings.objects.create(institution=hospital, lead_days=35)
    month = build_month(hospital, 2026, 12, today=date(2026, 10, 1))
    (winter,) = [e for e in month.entries if e.occasion.key == "term:冬至"]
    assert winter.due_date == date(2026, 11, 17)
    assert winter.topic == "冬至养生：节气健康提示"


@pytest.mark.django_db
def test_one_click_makes_a_draft_assigned_to_a_department(wang_client, hospital, cardiology):
    response = wang_client.post(CALENDAR + "?month=2026-04", plan_form(department=cardiology.pk))
    assert response.status_code == 302
    plan = PushPlan.objects.get()
    assert plan.department == cardiology and plan.occasion_date == date(2026, 4, 5)
    assert plan.article.title == "清明踏青，注意过敏" and not plan.article.is_published
    assert plan.article.institution == hospital
    page = wang_client.get(CALENDAR, {"month": "2026-04"}).content.decode()
    assert "打开草稿" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"occasion": "term:不存在"}, "occasion"),
        ({"topic": "  "}, "topic"),
        ({"due_date": "2026-04-30"}, "due_date"),  # after the occasion
        ({"due_date": "not a date"}, "due_date"),
        ({"year": "abc"}, "year"),
        ({"department": ""}, "department"),
        ({"occasion": "term:雨水", "due_date": "2026-02-10"}, "occasion"),  # past on 1 March
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    wang_client, cardiology, fields, field
):
    response = wang_client.post(
        CALENDAR + "?month=2026-04", plan_form(**{"department": cardiology.pk, **fields})
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not PushPlan.objects.exists() and not Article.objects.exists()


@pytest.mark.django_db
def test_another_institutions_department_is_refused(wang_client, foreign_department):
    response = wang_client.post(
        CALENDAR + "?month=2026-04", plan_form(department=foreign_department.pk)
    )
    assert response.status_code == 400 and "department" in response.context["form"].errors
    assert not Article.objects.exists()
    with pytest.raises(PlanRefused):
        plan_push(
            foreign_department.institution.__class__.objects.get(slug="renai"),
            occasion_key="term:清明",
            year=2026,
            topic="x",
            department=foreign_department,
            due_date=date(2026, 3, 1),
        )


@pytest.mark.django_db
def test_a_second_plan_for_the_same_occasion_is_refused(wang_client, cardiology):
    wang_client.post(CALENDAR + "?month=2026-04", plan_form(department=cardiology.pk))
    again = wang_client.post(CALENDAR + "?month=2026-04", plan_form(department=cardiology.pk))
    assert again.status_code == 400 and "occasion" in again.context["form"].errors
    assert PushPlan.objects.count() == 1 and Article.objects.count() == 1


@pytest.mark.django_db
def test_staff_of_another_hospital_see_and_plan_only_their_own(
    client, ops_zhao, hospital, cardiology, other_hospital
):
    article(hospital, "清明时节话养生", date(2025, 4, 2))
    client.force_login(ops_zhao)
    page = client.get(CALENDAR, {"month": "2026-04", "institution": hospital.pk})
    assert page.context["institution"] == other_hospital  # ?institution= is for superusers
    assert "清明时节话养生" not in page.content.decode() and "心内科" not in page.content.decode()
    response = client.post(CALENDAR + "?month=2026-04", plan_form(department=cardiology.pk))
    assert response.status_code == 400 and not PushPlan.objects.exists()


@pytest.mark.django_db
def test_staff_without_the_permission_cannot_plan(client, hospital, cardiology):
    from .conftest import staff

    reader = staff("reader", hospital, ["view_pushplan"])
    client.force_login(reader)
    assert client.get(CALENDAR, {"month": "2026-04"}).status_code == 200
    response = client.post(CALENDAR + "?month=2026-04", plan_form(department=cardiology.pk))
    assert response.status_code == 403 and not PushPlan.objects.exists()
    outsider = staff("outsider", hospital, [])
    client.force_login(outsider)
    assert client.get(CALENDAR).status_code == 403


@pytest.mark.django_db
def test_the_page_works_in_english(wang_client, settings):
    page = wang_client.get(CALENDAR, {"month": "2026-04"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("Pure Brightness", "World Health Day", "Qingming Festival", "Create draft"):
        assert words in text
    assert "生成草稿" not in text


@pytest.mark.django_db
def test_the_plan_list_links_to_the_calendar(wang_client):
    listing = wang_client.get(reverse("admin:publishing_pushplan_changelist"))
    assert CALENDAR in listing.content.decode()


@pytest.mark.django_db
def test_an_occasion_already_begun_offers_no_draft(hospital):
    from carebridge.publishing.month import build_month

    month = build_month(hospital, 2026, 12, today=date(2026, 12, 3))
    aids = next(e for e in month.entries if e.occasion.name == "世界艾滋病日")
    winter = next(e for e in month.entries if e.occasion.key == "term:冬至")
    assert aids.past and not winter.past


@pytest.mark.django_db
def test_the_draft_goes_through_the_workflow_and_its_editors_are_told(
    wang_client, ops_wang, hospital, cardiology
):
    from carebridge.content.models import EditorialRole, Notification
    from carebridge.content.tests.workflow_personas import member

    erin = member("erin", hospital, EditorialRole.EDITOR, cardiology)
    wang_client.post(CALENDAR + "?month=2026-04", plan_form(department=cardiology.pk))
    article = PushPlan.objects.get().article
    event = article.events.get()
    assert (event.action, event.actor, event.to_state) == ("assign", ops_wang, "draft")
    assert article.created_by == ops_wang and article.state == "draft"
    note = Notification.objects.get(user=erin)
    assert "清明踏青" in note.text and "2026-03-20 18:00" in note.text


@pytest.mark.django_db
def test_the_content_action_refuses_another_institutions_department(hospital, foreign_department):
    from carebridge.content.actions import WorkflowError, assign_draft

    with pytest.raises(WorkflowError) as refused:
        assign_draft(None, hospital, foreign_department, title="清明踏青", kind="news",
                     category="health", body="")  # fmt: skip
    assert refused.value.field == "department"
    assert not Article.objects.exists()
