"""The calendar's mass-send part: quota used and left, plans refused with the month named,
preview and cancel, and institutions kept apart."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carebridge.publishing.models import PlannedSend, PlannedSendStatus
from carebridge.wechat.models import ApiQuota

from .sends_helpers import plan, previewers

CALENDAR = reverse("admin:publishing_calendar")


def send_form(account, due_at, fields=None):
    return {
        "do": "send",
        "account": account.pk,
        "title": "大雪节气提醒",
        "msgtype": "text",
        "content": "天冷路滑，老人出行注意防跌倒",
        "segment": "all",
        "tag_id": "",
        "scene": "",
        "due_at": timezone.localtime(due_at).strftime("%Y-%m-%dT%H:%M"),
        "plan": "",
        **(fields or {}),
    }


def this_month():
    return timezone.localdate().strftime("%Y-%m")


@pytest.fixture
def due():
    """Later this month (or early next, on the month's last day: then shown next month)."""
    return timezone.now() + timedelta(hours=1)


@pytest.mark.django_db
def test_the_page_shows_the_months_quota(wang_client, account, due):
    previewers(account.institution)
    ApiQuota.objects.create(
        account=account, name="mass_month", period=this_month(), used=1
    )  # one sent this month
    plan(account, due)
    month = timezone.localtime(due).strftime("%Y-%m")
    page = wang_client.get(CALENDAR, {"month": month}).content.decode()
    assert "已用 2/4 次（已发送 1，已计划 1），剩余 2 次" in page
    assert "群发保护" in page and "立冬养生" in page


@pytest.mark.django_db
def test_planning_from_the_page(wang_client, account, due):
    previewers(account.institution)
    response = wang_client.post(CALENDAR, send_form(account, due))
    assert response.status_code == 302
    planned = PlannedSend.objects.get()
    assert planned.mass.content == {"content": "天冷路滑，老人出行注意防跌倒"}


@pytest.mark.django_db
def test_a_plan_past_the_quota_is_a_400_naming_the_month(wang_client, account, due):
    previewers(account.institution)
    local = timezone.localtime(due)
    ApiQuota.objects.create(
        account=account, name="mass_month", period=local.strftime("%Y-%m"), used=4
    )
    response = wang_client.post(CALENDAR, send_form(account, due))
    assert response.status_code == 400
    (error,) = response.context["send_form"].errors["due_at"]
    assert f"{local.year}年{local.month}月" in error
    assert not PlannedSend.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"due_at": "tomorrow"}, "due_at"),
        ({"segment": "tag"}, "tag_id"),
        ({"title": ""}, "title"),
        ({"msgtype": "voice"}, "msgtype"),
        ({"account": "999999"}, "account"),
        ({"plan": "999999"}, "plan"),
    ],
)
def test_bad_send_input_is_a_400_naming_the_field(wang_client, account, due, fields, field):
    previewers(account.institution)
    response = wang_client.post(CALENDAR, send_form(account, due, fields))
    assert response.status_code == 400
    assert field in response.context["send_form"].errors
    assert not PlannedSend.objects.exists()


@pytest.mark.django_db
def test_an_unknown_action_is_a_400(wang_client):
    assert wang_client.post(CALENDAR, {"do": "explode"}).status_code == 400


@pytest.mark.django_db
def test_preview_and_cancel_from_the_page(wang_client, account, due):
    previewers(account.institution)
    planned = plan(account, due)
    assert wang_client.post(CALENDAR, {"do": "preview", "send": planned.pk}).status_code == 302
    assert wang_client.post(CALENDAR, {"do": "cancel", "send": planned.pk}).status_code == 302
    planned.refresh_from_db()
    assert planned.status == PlannedSendStatus.CANCELLED


@pytest.mark.django_db
def test_another_hospitals_staff_cannot_touch_our_sends(client, ops_zhao, account, due):
    previewers(account.institution)
    planned = plan(account, due)
    client.force_login(ops_zhao)
    assert client.post(CALENDAR, {"do": "cancel", "send": planned.pk}).status_code == 404
    assert client.post(CALENDAR, {"do": "preview", "send": "x"}).status_code == 404
    page = client.get(CALENDAR, {"month": timezone.localtime(due).strftime("%Y-%m")})
    assert "立冬养生" not in page.content.decode()
    response = client.post(CALENDAR, send_form(account, due))  # our account
    assert response.status_code == 400 and "account" in response.context["send_form"].errors
    planned.refresh_from_db()
    assert planned.status == PlannedSendStatus.PLANNED


@pytest.mark.django_db
def test_staff_who_may_only_look_cannot_plan_sends(client, hospital, account, due):
    from .conftest import staff

    client.force_login(staff("reader2", hospital, ["view_pushplan"]))
    assert client.post(CALENDAR, send_form(account, due)).status_code == 403
    assert not PlannedSend.objects.exists()


@pytest.mark.django_db
def test_the_record_of_planned_sends_is_read_only_and_scoped(
    wang_client, client, ops_zhao, account, due
):
    previewers(account.institution)
    planned = plan(account, due)
    listing = wang_client.get(reverse("admin:publishing_plannedsend_changelist"))
    assert "立冬养生" in listing.content.decode()
    change = reverse("admin:publishing_plannedsend_change", args=[planned.pk])
    assert wang_client.post(change, {"status": "cancelled"}).status_code == 403
    client.force_login(ops_zhao)
    listing = client.get(reverse("admin:publishing_plannedsend_changelist"))
    assert "立冬养生" not in listing.content.decode()
