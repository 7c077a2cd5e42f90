"""Mass sends planned against the quota: counted ahead, per China's month (or day), refused
past it with the period named; segments; the staff preview first; cancelling."""

from datetime import timedelta

import pytest

from carebridge.institutions.models import AccountType
from carebridge.outbox.models import OutboxMessage
from carebridge.publishing.actions.sends import (
    SendRefused,
    cancel_planned_send,
    preview_planned_send,
)
from carebridge.publishing.models import PlannedSend, PlannedSendStatus
from carebridge.publishing.quota import usage
from carebridge.wechat.models import ApiQuota, Follower, MassSend

from .sends_helpers import STAFF_OPENID, local, plan, previewers

NOW = local(2026, 1, 10, 9, 0)


@pytest.fixture
def ready(account):
    previewers(account.institution)
    return account


def fill(account, due_at, count):
    for n in range(count):
        plan(account, due_at + timedelta(minutes=n), now=NOW, title=f"群发{n}")


@pytest.mark.django_db
def test_a_plan_counts_against_its_month_at_once(ready):
    planned = plan(ready, local(2026, 1, 20, 10, 0), now=NOW)
    assert planned.period == "2026-01" and planned.status == PlannedSendStatus.PLANNED
    quota = usage(ready, local(2026, 1, 1))
    assert (quota.sent, quota.planned, quota.left) == (0, 1, 3)
    assert planned.mass.status == "draft"  # wechat's draft: no quota taken from WeChat yet


@pytest.mark.django_db
def test_sends_made_elsewhere_count_too(ready):
    ApiQuota.objects.create(account=ready, name="mass_month", period="2026-01", used=3)
    plan(ready, local(2026, 1, 20, 10, 0), now=NOW)
    with pytest.raises(SendRefused) as refused:
        plan(ready, local(2026, 1, 21, 10, 0), now=NOW)
    assert "2026年1月" in refused.value.message_dict["due_at"][0]


@pytest.mark.django_db
def test_the_fifth_send_of_a_month_is_refused_naming_the_month(ready):
    fill(ready, local(2026, 1, 20, 10, 0), 4)
    with pytest.raises(SendRefused) as refused:
        plan(ready, local(2026, 1, 25, 10, 0), now=NOW)
    (message,) = refused.value.message_dict["due_at"]
    assert "2026年1月" in message and "4" in message
    assert PlannedSend.objects.count() == 4 and MassSend.objects.count() == 4


@pytest.mark.django_db
def test_month_boundaries_are_chinas(ready):
    # 23:30 on 31 January in Shanghai is 15:30 UTC the same day; 00:10 on 1 February in
    # Shanghai is still 31 January in UTC, but it is February's quota.
    fill(ready, local(2026, 1, 31, 23, 0), 3)
    last = plan(ready, local(2026, 1, 31, 23, 30), now=NOW)
    assert last.period == "2026-01"
    first_of_february = plan(ready, local(2026, 2, 1, 0, 10), now=NOW)
    assert first_of_february.period == "2026-02"
    assert first_of_february.due_at.astimezone(tz=None).tzinfo is not None
    with pytest.raises(SendRefused):
        plan(ready, local(2026, 1, 31, 23, 59), now=NOW)
    assert usage(ready, local(2026, 2, 1)).planned == 1


@pytest.mark.django_db
def test_a_subscription_account_has_one_a_day(ready):
    ready.account_type = AccountType.SUBSCRIPTION
    ready.save(update_fields=["account_type"])
    planned = plan(ready, local(2026, 1, 20, 8, 0), now=NOW)
    assert planned.period == "2026-01-20"
    with pytest.raises(SendRefused) as refused:
        plan(ready, local(2026, 1, 20, 23, 0), now=NOW)
    assert "2026年1月20日" in refused.value.message_dict["due_at"][0]
    assert plan(ready, local(2026, 1, 21, 0, 5), now=NOW).period == "2026-01-21"


@pytest.mark.django_db
def test_cancelling_frees_the_place(ready):
    fill(ready, local(2026, 1, 20, 10, 0), 4)
    cancel_planned_send(PlannedSend.objects.first())
    assert usage(ready, local(2026, 1, 1)).left == 1
    plan(ready, local(2026, 1, 26, 10, 0), now=NOW)
    with pytest.raises(SendRefused):
        cancel_planned_send(PlannedSend.objects.get(status="cancelled"))


@pytest.mark.django_db
def test_a_plan_is_previewed_to_the_staff_first(account):
    previewers(account.institution, STAFF_OPENID, "o_ops_li_000000000000000000")
    planned = plan(account, local(2026, 1, 20, 10, 0), now=NOW)
    previews = OutboxMessage.objects.filter(topic="wechat.mass_preview")
    assert sorted(m.payload["openid"] for m in previews) == sorted(
        [STAFF_OPENID, "o_ops_li_000000000000000000"]
    )
    assert planned.previewed_at == NOW
    preview_planned_send(planned)
    assert OutboxMessage.objects.filter(topic="wechat.mass_preview").count() == 4


@pytest.mark.django_db
def test_without_staff_to_preview_it_is_refused(account):
    with pytest.raises(SendRefused) as refused:
        plan(account, local(2026, 1, 20, 10, 0), now=NOW)
    assert "preview" in refused.value.message_dict
    assert not MassSend.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_submission_is_scheduled_for_the_due_time(ready):
    planned = plan(ready, local(2026, 1, 20, 10, 0), now=NOW)
    row = OutboxMessage.objects.get(topic="publishing.submit_send")
    assert row.payload == {"planned_id": planned.pk}
    assert row.available_at == local(2026, 1, 20, 10, 0)


@pytest.mark.django_db
def test_a_scene_segment_targets_followers_from_that_qr_scene(ready):
    for n, scene in enumerate(["vaccine_desk", "vaccine_desk", "vaccine_desk", "lobby"]):
        Follower.objects.create(
            account=ready, openid=f"o_{n:026d}", subscribed=n != 2, source_scene=scene
        )
    planned = plan(ready, local(2026, 1, 20, 10, 0), now=NOW, segment="scene", scene="vaccine_desk")
    assert planned.mass.openids == ["o_00000000000000000000000000", "o_00000000000000000000000001"]
    with pytest.raises(SendRefused) as refused:
        plan(ready, local(2026, 1, 21, 10, 0), now=NOW, segment="scene", scene="lobby")
    assert "scene" in refused.value.message_dict


@pytest.mark.django_db
def test_a_tag_segment(ready):
    planned = plan(ready, local(2026, 1, 20, 10, 0), now=NOW, segment="tag", tag_id=101)
    assert planned.mass.tag_id == 101 and planned.mass.openids == []
    with pytest.raises(SendRefused) as refused:
        plan(ready, local(2026, 1, 21, 10, 0), now=NOW, segment="tag")
    assert "tag_id" in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "  "}, "title"),
        ({"content": {"content": " "}}, "content"),
        ({"msgtype": "sms"}, "msgtype"),
        ({"segment": "everyone"}, "segment"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(ready, fields, field):
    with pytest.raises(SendRefused) as refused:
        plan(ready, local(2026, 1, 20, 10, 0), now=NOW, **fields)
    assert field in refused.value.message_dict
    assert not PlannedSend.objects.exists() and not MassSend.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_time_in_the_past_is_refused(ready):
    with pytest.raises(SendRefused) as refused:
        plan(ready, NOW - timedelta(minutes=1), now=NOW)
    assert "due_at" in refused.value.message_dict


@pytest.mark.django_db
def test_another_institutions_account_is_refused(ready, other_hospital):
    from carebridge.publishing.actions.sends import plan_mass_send

    with pytest.raises(SendRefused) as refused:
        plan_mass_send(
            ready.institution,
            account=other_hospital.wechat_accounts.get(),
            title="x",
            msgtype="text",
            content={"content": "x"},
            segment="all",
            due_at=local(2026, 1, 20, 10, 0),
            now=NOW,
        )
    assert "account" in refused.value.message_dict
