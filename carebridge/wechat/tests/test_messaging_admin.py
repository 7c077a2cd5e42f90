"""Mass sends and template messages in the back office: drafts, preview, submit, the quota."""

import pytest

from carebridge.outbox.models import OutboxMessage
from carebridge.wechat.actions.messaging import draft_mass_send, mass_send, send_template
from carebridge.wechat.models import MassSend
from carebridge.wechat.models.messaging import SendStatus

from .outgoing_helpers import ALICE, BOB

ADD = "/admin/wechat/masssend/add/"
CHANGELIST = "/admin/wechat/masssend/"


def form(account, **fields):
    return {
        "account": account.pk,
        "title": "冬季流感疫苗接种通知",
        "msgtype": "text",
        "body": "本周六起在门诊楼一层接种",
        "tag_id": "",
        "openid_list": "",
        "preview_openid": ALICE,
        **fields,
    }


def draft(account):
    return draft_mass_send(
        account,
        title="通知",
        msgtype="text",
        content={"content": "本周六起接种"},
        preview_openid=ALICE,
    )


@pytest.mark.django_db
def test_staff_write_a_draft_that_takes_no_quota(admin_client, admin_user, account):
    assert admin_client.post(ADD, form(account, openid_list=f"{ALICE}\n{BOB}")).status_code == 302
    mass = MassSend.objects.get()
    assert mass.status == SendStatus.DRAFT and mass.created_by == admin_user
    assert mass.content == {"content": "本周六起在门诊楼一层接种"}
    assert mass.openids == sorted([ALICE, BOB])
    assert not OutboxMessage.objects.exists()
    assert "群发额度剩余 4 次（服务号每月 4 次）" in admin_client.get(CHANGELIST).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"openid_list": ALICE}, "按用户群发须有 2 到 10000 个不同的用户"),
        ({"openid_list": f"{ALICE} {BOB}", "tag_id": "2"}, "按标签群发与按用户群发只能选一种"),
    ],
)
def test_a_bad_draft_is_a_form_error(admin_client, account, fields, message):
    response = admin_client.post(ADD, form(account, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MassSend.objects.exists()


@pytest.mark.django_db
def test_preview_then_submit(admin_client, account):
    mass = draft(account)
    admin_client.post(CHANGELIST, {"action": "preview", "_selected_action": [mass.pk]})
    preview = OutboxMessage.objects.get(topic="wechat.mass_preview")
    assert preview.payload == {"mass_id": mass.pk, "openid": ALICE}

    response = admin_client.post(
        CHANGELIST, {"action": "submit", "_selected_action": [mass.pk]}, follow=True
    )
    assert "已提交群发" in response.content.decode()
    mass.refresh_from_db()
    assert mass.status == SendStatus.QUEUED and mass.clientmsgid
    assert OutboxMessage.objects.filter(topic="wechat.mass").count() == 1


@pytest.mark.django_db
def test_submitting_past_the_quota_is_refused_with_the_reason(admin_client, account):
    for _ in range(4):
        mass_send(account, title="通知", msgtype="text", content={"content": "x"})
    mass = draft(account)
    response = admin_client.post(
        CHANGELIST, {"action": "submit", "_selected_action": [mass.pk]}, follow=True
    )
    assert "本月群发次数已用完（服务号每月 4 次）" in response.content.decode()
    mass.refresh_from_db()
    assert mass.status == SendStatus.DRAFT


@pytest.mark.django_db
def test_a_submitted_send_cannot_be_deleted_or_submitted_again(admin_client, account):
    mass = mass_send(account, title="通知", msgtype="text", content={"content": "x"})
    assert (
        admin_client.post(f"/admin/wechat/masssend/{mass.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(CHANGELIST, {"action": "submit", "_selected_action": [mass.pk]})
    assert OutboxMessage.objects.filter(topic="wechat.mass").count() == 1


@pytest.mark.django_db
def test_template_sends_are_listed_with_their_status(admin_client, account):
    send_template(account, ALICE, "TPL_visit_ok", {"first": "预约成功"})
    listing = admin_client.get("/admin/wechat/templatesend/").content.decode()
    assert "TPL_visit_ok" in listing and "排队中" in listing
    assert admin_client.get("/admin/wechat/templatesend/add/").status_code == 403
