"""The outbox in the back office: every row with its status, attempts, error and WeChat's answer;
failed rows can be queued again."""

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
