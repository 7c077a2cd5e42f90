"""The outbox in the back office: every row with its status, attempts, error and WeChat's answer;
failed rows can be queued again; messages that failed after retrying for their whole period
raise a banner on the back office's front page and the outbox's list until dealt with."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.outbox.actions import enqueue
from carebridge.outbox.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db

URL = "/admin/outbox/outboxmessage/"


@pytest.fixture
def sent():
    row = enqueue("wechat.template", {"send_id": 1})
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENT,
        attempts=1,
        sent_at=timezone.now(),
        response={"errcode": 0, "errmsg": "ok", "msgid": 2000000042},
    )
    return row


@pytest.fixture
def failed():
    row = enqueue("wechat.custom", {"openid": "o_bob"})
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxStatus.FAILED,
        attempts=8,
        last_error="已超出客服消息的回复时限 (errcode 45015: response out of time limit)",
        response={"errcode": 45015, "errmsg": "response out of time limit"},
    )
    return row


def test_the_list_shows_status_attempts_and_the_error(admin_client, sent, failed):
    page = admin_client.get(URL).content.decode()
    assert "wechat.template" in page and "wechat.custom" in page
    assert "已发送" in page and "失败" in page
    assert "45015" in page


def test_a_row_shows_wechats_answer(admin_client, sent):
    page = admin_client.get(f"{URL}{sent.pk}/change/").content.decode()
    assert "2000000042" in page


def test_the_list_filters_by_status(admin_client, sent, failed):
    response = admin_client.get(URL, {"status__exact": "failed"})
    assert [row.pk for row in response.context["cl"].result_list] == [failed.pk]


def test_rows_cannot_be_added_or_edited(admin_client, sent):
    assert admin_client.get(f"{URL}add/").status_code == 403
    admin_client.post(f"{URL}{sent.pk}/change/", {"topic": "changed"})
    sent.refresh_from_db()
    assert sent.topic == "wechat.template"


def test_retry_now_queues_failed_rows_again_and_leaves_sent_ones(admin_client, sent, failed):
    response = admin_client.post(
        URL, {"action": "retry_now", "_selected_action": [sent.pk, failed.pk]}, follow=True
    )
    assert "已重新排队 1 条消息" in response.content.decode()
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == OutboxStatus.PENDING and failed.claimed_at is None
    assert sent.status == OutboxStatus.SENT


def test_staff_without_permission_see_nothing(client, django_user_model, failed):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403


@pytest.fixture
def gave_up():
    """Two messages failed after retrying for their whole period (the staff alert)."""
    rows = [enqueue("wechat.template", {"send_id": n}) for n in (7, 8)]
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=OutboxStatus.FAILED,
        alert=True,
        failing_since=timezone.now() - timedelta(hours=24),
        last_error="重试 24 小时后仍未发出：无法连接微信服务器 (errcode None: ConnectError)",
    )
    return rows


@pytest.mark.parametrize("page", ["/admin/", URL])
def test_the_back_office_shows_a_banner_for_messages_failed_after_retrying(
    admin_client, gave_up, failed, page
):
    html = admin_client.get(page).content.decode()
    assert "2 条消息在重试 24 小时后仍未发出。" in html
    assert f'href="{URL}?alert__exact=1"' in html


def test_the_banner_links_to_the_messages_it_counts(admin_client, gave_up, failed):
    response = admin_client.get(URL, {"alert__exact": "1"})
    listed = sorted(row.pk for row in response.context["cl"].result_list)
    assert listed == sorted(r.pk for r in gave_up)


def test_no_banner_without_such_messages(admin_client, sent, failed):
    assert "后仍未发出" not in admin_client.get("/admin/").content.decode()


def test_staff_who_may_not_see_the_outbox_see_no_banner(client, django_user_model, gave_up):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    assert "后仍未发出" not in client.get("/admin/").content.decode()


def test_retrying_clears_the_alert_and_starts_a_fresh_period(admin_client, gave_up):
    admin_client.post(URL, {"action": "retry_now", "_selected_action": [gave_up[0].pk]})
    retried = OutboxMessage.objects.get(pk=gave_up[0].pk)
    assert retried.status == OutboxStatus.PENDING and not retried.alert
    assert retried.failing_since is None
    assert "1 条消息在重试 24 小时后仍未发出。" in admin_client.get("/admin/").content.decode()


def test_dismissing_the_alert_leaves_the_message_failed(admin_client, gave_up):
    response = admin_client.post(
        URL,
        {"action": "dismiss_alert", "_selected_action": [r.pk for r in gave_up]},
        follow=True,
    )
    assert "已处理 2 条告警" in response.content.decode()
    assert not OutboxMessage.objects.alerts().exists()
    assert OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count() == 2
    assert "后仍未发出" not in admin_client.get("/admin/").content.decode()
