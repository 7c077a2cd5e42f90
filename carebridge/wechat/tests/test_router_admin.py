"""The inbound back office: rules (with "try a message"), followers, callback receipts."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from carebridge.institutions.models import Institution, StaffMember, WeChatAccount
from carebridge.outbox.models import OutboxMessage
from carebridge.wechat import rules
from carebridge.wechat.models import AutoReply, CallbackReceipt, Follower
from carebridge.wechat.models.routing import MatchType, ReplyType, Trigger

pytestmark = pytest.mark.django_db

RULES = reverse("admin:wechat_autoreply_changelist")
TRY = reverse("admin:wechat_autoreply_try")


@pytest.fixture
def booking_rule(account):
    return AutoReply.objects.create(
        account=account, trigger=Trigger.KEYWORD, pattern="挂号", text="请点击菜单预约挂号。"
    )


def form_data(account, **fields):
    data = {
        "account": account.pk,
        "trigger": Trigger.KEYWORD,
        "match_type": MatchType.EXACT,
        "pattern": "挂号",
        "priority": 0,
        "reply_type": ReplyType.TEXT,
        "text": "预约请点菜单",
        "articles": "[]",
        "action": "",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_the_rule_list_filters_by_trigger_and_offers_to_try_a_message(operations, account):
    AutoReply.objects.create(account=account, trigger=Trigger.KEYWORD, pattern="挂号", text="a")
    AutoReply.objects.create(account=account, trigger=Trigger.SUBSCRIBE, text="欢迎关注")
    page = operations.get(RULES, {"trigger__exact": "subscribe"})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset.values_list("text", flat=True)) == ["欢迎关注"]
    assert TRY.encode() in page.content


def test_a_rule_added_in_the_back_office_answers_at_once(operations, account):
    response = operations.post(reverse("admin:wechat_autoreply_add"), form_data(account))
    assert response.status_code == 302
    assert rules.for_account(account.pk).exact["挂号"].text == "预约请点菜单"


def test_an_invalid_regex_is_refused_with_its_reason_and_nothing_saved(operations, account):
    response = operations.post(
        reverse("admin:wechat_autoreply_add"),
        form_data(account, match_type=MatchType.REGEX, pattern="(报告)\\1"),
    )
    assert response.status_code == 200
    assert "正则表达式无效" in str(response.context["adminform"].form.errors["pattern"])
    assert not AutoReply.objects.exists()


def test_the_action_field_is_a_dropdown_of_registered_actions(operations, account):
    page = operations.get(reverse("admin:wechat_autoreply_add"))
    choices = dict(page.context["adminform"].form.fields["action"].choices)
    assert "nearest_campus" in choices and "hospital_intro" in choices
    response = operations.post(
        reverse("admin:wechat_autoreply_add"),
        form_data(account, reply_type=ReplyType.ACTION, action="not_registered", text=""),
    )
    assert response.status_code == 200
    assert "action" in response.context["adminform"].form.errors
    assert not AutoReply.objects.exists()


def test_an_action_rule_without_an_action_is_refused_and_nothing_saved(operations, account):
    response = operations.post(
        reverse("admin:wechat_autoreply_add"),
        form_data(account, reply_type=ReplyType.ACTION, action="", text=""),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["action"] == ["请选择一个已注册的功能"]
    assert not AutoReply.objects.exists()


def test_trying_a_message_shows_the_rule_and_its_answer_and_changes_nothing(
    operations, account, booking_rule
):
    page = operations.get(TRY, {"account": account.pk, "kind": "text", "value": "挂号"})
    assert page.status_code == 200
    assert page.context["rule"] == booking_rule
    assert "请点击菜单预约挂号。" in page.content.decode()
    assert not CallbackReceipt.objects.exists()
    assert not Follower.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_trying_a_scene_follow_and_an_unmatched_text(operations, account):
    AutoReply.objects.create(
        account=account, trigger=Trigger.SUBSCRIBE, pattern="ward_5", text="五病区"
    )
    page = operations.get(TRY, {"account": account.pk, "kind": "subscribe", "value": "ward_5"})
    assert page.context["result"].answer == "五病区"
    page = operations.get(TRY, {"account": account.pk, "kind": "text", "value": "随便"})
    assert page.context["rule"] is None
    assert "没有规则匹配" in page.content.decode()


def test_trying_a_slow_action_does_not_run_it(operations, account):
    from .test_slow import CALLS

    CALLS.clear()
    AutoReply.objects.create(
        account=account,
        trigger=Trigger.CLICK,
        pattern="REPORTS",
        reply_type=ReplyType.ACTION,
        action="test_report_lookup",
    )
    page = operations.get(TRY, {"account": account.pk, "kind": "click", "value": "REPORTS"})
    assert page.context["result"].slow
    assert CALLS == []
    assert not OutboxMessage.objects.exists()


def test_disabling_rules_in_bulk_takes_effect_at_once(operations, account, booking_rule):
    assert "挂号" in rules.for_account(account.pk).exact
    operations.post(RULES, {"action": "disable", "_selected_action": [booking_rule.pk]})
    booking_rule.refresh_from_db()
    assert not booking_rule.is_active
    assert "挂号" not in rules.for_account(account.pk).exact
    operations.post(RULES, {"action": "enable", "_selected_action": [booking_rule.pk]})
    assert "挂号" in rules.for_account(account.pk).exact


def test_followers_are_searched_by_openid_or_nickname_and_filtered(operations, account):
    Follower.objects.create(account=account, openid="o_alice_1", nickname="王小丽", subscribed=True)
    Follower.objects.create(
        account=account, openid="o_bob_2", nickname="李强", source_scene="ward_5"
    )
    changelist = reverse("admin:wechat_follower_changelist")

    def openids(params):
        page = operations.get(changelist, params)
        assert page.status_code == 200
        return sorted(page.context["cl"].queryset.values_list("openid", flat=True))

    assert openids({"q": "小丽"}) == ["o_alice_1"]
    assert openids({"q": "o_bob_2"}) == ["o_bob_2"]
    assert openids({"subscribed__exact": "1"}) == ["o_alice_1"]
    assert openids({"source_scene": "ward_5"}) == ["o_bob_2"]


def test_callback_receipts_can_be_read_but_not_written(operations, account):
    receipt = CallbackReceipt.objects.create(
        account=account, dedup_key="msg:1", msg_type="text", openid="o_alice", reply=""
    )
    assert operations.get(reverse("admin:wechat_callbackreceipt_changelist")).status_code == 200
    change = reverse("admin:wechat_callbackreceipt_change", args=[receipt.pk])
    assert operations.get(change).status_code == 200
    operations.post(change, {"dedup_key": "msg:2", "openid": "o_mallory"})
    receipt.refresh_from_db()
    assert (receipt.dedup_key, receipt.openid) == ("msg:1", "o_alice")
    assert operations.get(reverse("admin:wechat_callbackreceipt_add")).status_code == 403


def test_staff_of_another_institution_see_none_of_these_rules(client, account, booking_rule):
    other = Institution.objects.create(slug="kangning", name="康宁社区卫生服务中心")
    WeChatAccount.objects.create(institution=other, slug="kangning", name="康宁服务号")
    editor = User.objects.create_user("kn-editor", password="x-long-password-2", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__endswith="_autoreply"))
    StaffMember.objects.create(user=editor, institution=other)
    client.force_login(editor)
    page = client.get(RULES)
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0
    assert (
        client.get(reverse("admin:wechat_autoreply_change", args=[booking_rule.pk])).status_code
        == 302
    )
    tried = client.get(TRY, {"account": account.pk, "kind": "text", "value": "挂号"})
    assert "account" in tried.context["form"].errors  # another institution's account
