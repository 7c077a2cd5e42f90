"""The demo hospital's calendar: something due this week, one mass send used this month."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from carebridge.institutions.demo.load import load_demo
from carebridge.publishing.models import PlannedSend, PlannedSendStatus, PushPlan
from carebridge.publishing.quota import usage
from carebridge.wechat.models import MassSend

pytestmark = pytest.mark.django_db


def test_the_demo_calendar_has_work_this_week_and_a_send_this_month():
    loaded = load_demo()
    today = timezone.localdate()
    sunday = today + timedelta(days=6 - today.weekday())
    plan = PushPlan.objects.get(institution=loaded.institution)
    assert today <= plan.due_date <= sunday < plan.occasion_date + timedelta(days=7)
    assert plan.due_date <= plan.occasion_date
    assert plan.article is not None and not plan.article.is_published
    send = PlannedSend.objects.get()
    assert send.status == PlannedSendStatus.SUBMITTED and send.mass.status == "queued"
    quota = usage(loaded.account)
    assert (quota.sent, quota.planned, quota.left) == (1, 0, 3)


def test_loading_the_demo_again_adds_nothing_to_the_calendar():
    first = load_demo()
    assert {"push plan", "mass send", "calendar settings"} <= set(first.created)
    assert load_demo().created == []
    assert PushPlan.objects.count() == 1 and MassSend.objects.count() == 1


def test_the_demo_admin_sees_it_on_the_calendar(client):
    load_demo()
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(reverse("admin:publishing_calendar"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "已发送 1" in text and "预防接种门诊开放时间提醒" in text
