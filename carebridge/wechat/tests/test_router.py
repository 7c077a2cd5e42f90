"""The router as data: keyword priorities and match types, welcomes per QR scene, the default
reply, menu keys bound to replies and actions, rules validated when saved and reloaded when
changed."""

import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from carebridge.institutions.models import Campus
from carebridge.wechat import handlers, router, rules
from carebridge.wechat.messages import normalise
from carebridge.wechat.models import AutoReply, Follower
from carebridge.wechat.models.routing import MatchType, ReplyType, Trigger

from .callback_helper import WeChatCallbacks

pytestmark = pytest.mark.django_db


@pytest.fixture
def wx(client, account, settings):
    return WeChatCallbacks(client, account, settings)


@pytest.fixture
def rule(account):
    def make(trigger=Trigger.KEYWORD, pattern="", text="", **extra):
        return AutoReply.objects.create(
            account=account, trigger=trigger, pattern=pattern, text=text, **extra
        )

    return make


def text_message(content, msg_id="1"):
    return normalise(
        {
            "ToUserName": "gh_renai0000001",
            "FromUserName": "o_alice_0000000000000000000",
            "CreateTime": "1700000000",
            "MsgType": "text",
            "Content": content,
            "MsgId": msg_id,
        }
    )


def matched_text(account, content):
    found = router.match(account, text_message(content))
    return None if found is None else found[0].text


# --- Keywords ---------------------------------------------------------------------------------


def test_an_exact_keyword_matches_only_the_whole_message(account, rule):
    rule(pattern="挂号", text="booking", match_type=MatchType.EXACT)
    assert matched_text(account, "挂号") == "booking"
    assert matched_text(account, "  挂号 ") == "booking"
    assert matched_text(account, "我要挂号") is None


def test_keywords_ignore_case_and_full_width_forms(account, rule):
    rule(pattern="CT", text="imaging", match_type=MatchType.EXACT)
    rule(pattern="wifi", text="network", match_type=MatchType.CONTAINS)
    assert matched_text(account, "ct") == "imaging"
    assert matched_text(account, "ＣＴ") == "imaging"
    assert matched_text(account, "医院有WiFi吗") == "network"


def test_a_contains_keyword_matches_inside_the_message(account, rule):
    rule(pattern="停车", text="parking", match_type=MatchType.CONTAINS)
    assert matched_text(account, "请问医院停车方便吗") == "parking"
    assert matched_text(account, "请问医院几点开门") is None


def test_a_regular_expression_keyword_matches(account, rule):
    rule(pattern=r"^(查|取)报告", text="reports", match_type=MatchType.REGEX)
    assert matched_text(account, "查报告单") == "reports"
    assert matched_text(account, "取报告") == "reports"
    assert matched_text(account, "我想查报告") is None


def test_the_higher_priority_wins_across_match_types(account, rule):
    rule(pattern="挂号", text="exact-low", match_type=MatchType.EXACT, priority=1)
    rule(pattern="挂", text="contains-high", match_type=MatchType.CONTAINS, priority=5)
    rule(pattern="号$", text="regex-mid", match_type=MatchType.REGEX, priority=3)
    assert matched_text(account, "挂号") == "contains-high"


def test_an_exact_rule_beats_lower_priority_contains_and_regex_rules(account, rule):
    rule(pattern="挂", text="contains-low", match_type=MatchType.CONTAINS, priority=1)
    rule(pattern="号", text="regex-low", match_type=MatchType.REGEX, priority=2)
    rule(pattern="挂号", text="exact-high", match_type=MatchType.EXACT, priority=9)
    assert matched_text(account, "挂号") == "exact-high"
    assert matched_text(account, "挂号费") == "regex-low"


def test_among_equal_priorities_the_older_rule_wins(account, rule):
    rule(pattern="发票", text="first", match_type=MatchType.CONTAINS)
    rule(pattern="发票", text="second", match_type=MatchType.CONTAINS)
    assert matched_text(account, "开发票") == "first"


def test_inactive_rules_and_other_accounts_rules_are_ignored(account, rule, hospital):
    from carebridge.institutions.models import WeChatAccount

    other = WeChatAccount.objects.create(institution=hospital, slug="other", name="另一个号")
    AutoReply.objects.create(account=other, trigger=Trigger.KEYWORD, pattern="挂号", text="x")
    rule(pattern="挂号", text="off", is_active=False)
    assert matched_text(account, "挂号") is None


def test_the_default_reply_answers_what_no_keyword_matched(wx, rule):
    rule(pattern="挂号", text="booking")
    rule(Trigger.DEFAULT, text="您的留言已收到")
    wx.check_callback("text__question", expect_reply={"Content": "您的留言已收到"})
    wx.check_callback("image__photo", expect_reply={"Content": "您的留言已收到"})


def test_without_a_default_reply_an_unmatched_message_is_answered_success(wx, rule):
    rule(pattern="挂号", text="booking")
    wx.check_callback("text__question", expect_reply={})


def test_a_voice_message_routes_by_its_recognition_text(wx, rule):
    rule(pattern="挂号", text="booking")
    wx.check_callback("voice__recognition", expect_reply={"Content": "booking"})
    # Recognition ends its sentence with punctuation the user never said.
    wx.check_callback("voice__recognition", Recognition="挂号。", MsgId="77",
                      expect_reply={"Content": "booking"})  # fmt: skip


def test_a_keyword_rule_can_answer_with_articles(wx, rule):
    articles = [
        {"title": "冬季流感", "description": "防护要点", "url": "https://example.cn/flu"},
        {"title": "第二篇", "url": "https://example.cn/2"},
    ]
    rule(pattern="流感", reply_type=ReplyType.NEWS, articles=articles)
    reply = wx.check_callback("text__keyword", Content="流感", expect_reply={"MsgType": "news"})
    # Answering a user's message WeChat allows one article.
    assert reply["ArticleCount"] == "1"
    assert reply["Articles"] == [
        {
            "Title": "冬季流感",
            "Description": "防护要点",
            "PicUrl": "",
            "Url": "https://example.cn/flu",
        }
    ]


def test_an_event_reply_may_carry_up_to_eight_articles(wx, rule):
    articles = [{"title": f"第{n}篇", "url": f"https://example.cn/{n}"} for n in range(8)]
    rule(Trigger.SUBSCRIBE, reply_type=ReplyType.NEWS, articles=articles)
    reply = wx.check_callback("event__subscribe", expect_reply={"MsgType": "news"})
    assert reply["ArticleCount"] == "8"


# --- Welcomes per QR scene --------------------------------------------------------------------


@pytest.fixture
def welcomes(rule):
    rule(Trigger.SUBSCRIBE, text="感谢关注")
    rule(Trigger.SUBSCRIBE, "outpatient_hall", "门诊大厅欢迎您")
    rule(Trigger.SUBSCRIBE, "ward_5", "五病区欢迎您")


def test_a_follow_through_a_scene_gets_that_scenes_welcome(wx, welcomes):
    wx.check_callback("event__subscribe_scene", expect_reply={"Content": "门诊大厅欢迎您"})
    wx.check_callback(
        "event__subscribe_scene",
        EventKey="qrscene_ward_5",
        expect_reply={"Content": "五病区欢迎您"},
    )


def test_a_follow_without_a_scene_or_through_an_unknown_one_gets_the_general_welcome(wx, welcomes):
    wx.check_callback("event__subscribe", expect_reply={"Content": "感谢关注"})
    wx.check_callback(
        "event__subscribe_scene", EventKey="qrscene_car_park", expect_reply={"Content": "感谢关注"}
    )


def test_a_follower_scanning_a_scene_gets_that_scenes_welcome(wx, welcomes):
    wx.check_callback("event__scan", EventKey="ward_5", expect_reply={"Content": "五病区欢迎您"})


def test_a_scan_of_a_scene_without_a_welcome_is_answered_success(wx, welcomes):
    wx.check_callback("event__scan", EventKey="car_park", expect_reply={})


# --- Menu keys and actions --------------------------------------------------------------------


def test_a_click_gets_the_reply_bound_to_its_key(wx, rule):
    rule(Trigger.CLICK, "ABOUT_HOSPITAL", "仁爱医院简介")
    wx.check_callback("event__click", expect_reply={"Content": "仁爱医院简介"})
    wx.check_callback("event__click", EventKey="UNBOUND", expect_reply={})


def test_a_click_can_run_a_named_action(wx, rule, hospital):
    hospital.introduction = "仁爱医院是一所三级甲等综合医院。"
    hospital.save(update_fields=["introduction"])
    rule(Trigger.CLICK, "ABOUT_HOSPITAL", reply_type=ReplyType.ACTION, action="hospital_intro")
    wx.check_callback("event__click", expect_reply={"Content": "仁爱医院是一所三级甲等综合医院。"})


@pytest.fixture
def campuses(hospital):
    Campus.objects.create(
        institution=hospital,
        name="东院",
        address="上海市浦东新区东方路1号",
        latitude="31.2200",
        longitude="121.5400",
    )
    Campus.objects.create(
        institution=hospital,
        name="本部",
        address="上海市黄浦区人民路2号",
        latitude="31.2300",
        longitude="121.4750",
        phone="021-00000000",
    )


def test_the_nearest_campus_action_uses_the_location_the_menu_sent(wx, rule, campuses):
    rule(Trigger.CLICK, "NEAREST_CAMPUS", reply_type=ReplyType.ACTION, action="nearest_campus")
    reply = wx.check_callback("event__location_select")
    assert reply["Content"].startswith("离您最近的是本部")
    assert "021-00000000" in reply["Content"]


def test_the_nearest_campus_action_uses_the_last_reported_location(wx, rule, campuses, account):
    rule(pattern="最近的院区", reply_type=ReplyType.ACTION, action="nearest_campus")
    Follower.objects.create(
        account=account,
        openid="o_alice_0000000000000000000",
        subscribed=True,
        latitude=31.2210,
        longitude=121.5390,
    )
    reply = wx.check_callback("text__keyword", Content="最近的院区")
    assert reply["Content"].startswith("离您最近的是东院")


def test_without_a_location_the_nearest_campus_action_lists_the_campuses(wx, rule, campuses):
    rule(pattern="最近的院区", reply_type=ReplyType.ACTION, action="nearest_campus")
    reply = wx.check_callback("text__keyword", Content="最近的院区")
    assert "东院" in reply["Content"] and "本部" in reply["Content"]
    assert "发送您的位置" in reply["Content"]


SEEN_QUERIES: list[str] = []


@handlers.action("test_echo_query")
def echo_query(ctx):
    SEEN_QUERIES.append(ctx.query)
    return f"查询：{ctx.query}"


@handlers.action("test_broken")
def broken(ctx):
    AutoReply.objects.create(account=ctx.account, trigger=Trigger.DEFAULT, text="half-done")
    raise RuntimeError("HIS is down")


def test_the_doctor_search_action_finds_doctors_by_the_text_after_its_keyword(
    wx, rule, hospital, campuses
):
    from carebridge.institutions.models import Department, Doctor

    cardiology = Department.objects.create(
        institution=hospital, campus=Campus.objects.first(), name="心内科"
    )
    zhang = Doctor.objects.create(
        institution=hospital, name="张建国", title="主任医师", specialty="冠心病、高血压"
    )
    zhang.departments.add(cardiology)
    Doctor.objects.create(institution=hospital, name="李梅", title="主治医师")
    rule(pattern="^找医生", match_type=MatchType.REGEX, reply_type=ReplyType.ACTION,
         action="doctor_search")  # fmt: skip
    reply = wx.check_callback("text__keyword", Content="找医生 zjg")
    assert reply["Content"] == "张建国 主任医师（心内科）\n擅长：冠心病、高血压"
    reply = wx.check_callback("text__keyword", Content="找医生 高血压", MsgId="8")
    assert reply["Content"].startswith("张建国")
    reply = wx.check_callback("text__keyword", Content="找医生 王", MsgId="9")
    assert reply["Content"] == "没有找到与“王”相关的医生。"
    reply = wx.check_callback("text__keyword", Content="找医生", MsgId="10")
    assert "例如" in reply["Content"]


def test_an_action_gets_the_text_after_its_keyword(wx, rule):
    SEEN_QUERIES.clear()
    rule(pattern="找医生", match_type=MatchType.CONTAINS, reply_type=ReplyType.ACTION,
         action="test_echo_query")  # fmt: skip
    wx.check_callback("text__keyword", Content="找医生 张", expect_reply={"Content": "查询：张"})
    assert SEEN_QUERIES == ["张"]


def test_a_failing_action_is_answered_success_and_its_writes_are_undone(wx, rule, account):
    rule(Trigger.CLICK, "ABOUT_HOSPITAL", reply_type=ReplyType.ACTION, action="test_broken")
    wx.check_callback("event__click", expect_reply={})
    assert not AutoReply.objects.filter(text="half-done").exists()
    assert Follower.objects.get().last_interaction_at is not None  # the callback's writes stay


def test_a_rule_bound_to_an_action_that_is_no_longer_registered_is_answered_success(
    wx, rule, account
):
    row = rule(
        Trigger.CLICK, "ABOUT_HOSPITAL", reply_type=ReplyType.ACTION, action="hospital_intro"
    )
    AutoReply.objects.filter(pk=row.pk).update(action="retired_action")
    rules.invalidate(account.pk)
    wx.check_callback("event__click", expect_reply={})


# --- Rules are reloaded when they change ------------------------------------------------------


def test_an_edited_rule_answers_at_once(wx, rule):
    row = rule(pattern="挂号", text="旧的回复")
    wx.check_callback("text__keyword", expect_reply={"Content": "旧的回复"})
    row.text = "新的回复"
    row.save(update_fields=["text"])
    wx.check_callback("text__keyword", MsgId="2", expect_reply={"Content": "新的回复"})
    row.delete()
    wx.check_callback("text__keyword", MsgId="3", expect_reply={})


def test_the_compiled_rules_are_reused_until_a_rule_changes(
    account, rule, django_assert_max_num_queries
):
    rule(pattern="挂号", text="booking")
    rules.for_account(account.pk)
    # No rule is read again: at most the version token (one query with the database cache).
    with django_assert_max_num_queries(1):
        assert rules.for_account(account.pk).exact["挂号"].text == "booking"
    rule(pattern="缴费", text="payment")
    assert rules.for_account(account.pk).exact["缴费"].text == "payment"


def test_another_process_sees_a_change_through_the_shared_version(account, rule, monkeypatch):
    rule(pattern="挂号", text="booking")
    first = rules.for_account(account.pk)
    # Another process changed a rule: its version token is all this process can see.
    AutoReply.objects.filter(account=account).update(text="changed elsewhere")
    rules.cache.set(rules._version_key(account.pk), "another-process-version", None)
    # Within the recheck interval the token is not looked up again…
    assert rules.for_account(account.pk) is first
    # …and after it the change is seen.
    later = time.monotonic() + settings.WECHAT_RULES_RECHECK_SECONDS
    monkeypatch.setattr(rules.time, "monotonic", lambda: later)
    assert rules.for_account(account.pk) is not first
    assert rules.for_account(account.pk).exact["挂号"].text == "changed elsewhere"


def test_an_unchanged_version_keeps_the_compiled_rules_past_the_interval(
    account, rule, monkeypatch, django_assert_max_num_queries
):
    rule(pattern="挂号", text="booking")
    first = rules.for_account(account.pk)
    later = time.monotonic() + settings.WECHAT_RULES_RECHECK_SECONDS
    monkeypatch.setattr(rules.time, "monotonic", lambda: later)
    with django_assert_max_num_queries(1):  # the version token, no rule
        assert rules.for_account(account.pk) is first


# --- Validation when saved --------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"pattern": "", "text": "x"}, "pattern"),
        ({"pattern": "(a)\\1", "match_type": MatchType.REGEX, "text": "x"}, "pattern"),
        ({"pattern": "(?<=a)b", "match_type": MatchType.REGEX, "text": "x"}, "pattern"),
        ({"pattern": "[unclosed", "match_type": MatchType.REGEX, "text": "x"}, "pattern"),
        ({"pattern": "挂号", "text": "  "}, "text"),
        ({"pattern": "挂号", "reply_type": ReplyType.ACTION, "action": "nope"}, "action"),
        ({"pattern": "挂号", "reply_type": ReplyType.NEWS, "articles": []}, "articles"),
        ({"pattern": "挂号", "reply_type": ReplyType.NEWS, "articles": [{"url": "x"}]}, "articles"),
        (
            {
                "pattern": "挂号",
                "reply_type": ReplyType.NEWS,
                "articles": [{"title": "t", "url": "javascript:alert(1)"}],
            },
            "articles",
        ),
        (
            {
                "pattern": "挂号",
                "reply_type": ReplyType.NEWS,
                "articles": [{"title": "t"}] * 9,
            },
            "articles",
        ),
        ({"trigger": Trigger.CLICK, "pattern": "", "text": "x"}, "pattern"),
        ({"trigger": Trigger.CLICK, "pattern": "键" * 43, "text": "x"}, "pattern"),
        ({"trigger": Trigger.SUBSCRIBE, "pattern": "s" * 65, "text": "x"}, "pattern"),
        ({"trigger": Trigger.DEFAULT, "pattern": "挂号", "text": "x"}, "pattern"),
    ],
)
def test_an_invalid_rule_is_refused_with_a_clear_message(account, fields, field):
    row = AutoReply(account=account, trigger=fields.pop("trigger", Trigger.KEYWORD), **fields)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert field in refused.value.message_dict


def test_a_regex_the_router_could_not_compile_cannot_be_saved_even_from_code(account):
    with pytest.raises(ValidationError):
        AutoReply.objects.create(
            account=account, trigger=Trigger.KEYWORD, match_type=MatchType.REGEX, pattern="(a)\\1"
        )
    assert not AutoReply.objects.exists()


def test_a_catastrophic_regex_matches_in_linear_time(account, rule):
    # (a+)+$ takes exponential time in a backtracking engine; RE2 answers at once.
    rule(pattern="(a+)+$", text="never", match_type=MatchType.REGEX)
    rule(Trigger.DEFAULT, text="default")
    assert matched_text(account, "a" * 1999 + "!") == "default"
    assert matched_text(account, "a" * 2000) == "never"


def test_regexes_are_not_tried_on_a_very_long_message(account, rule):
    rule(pattern="尾巴$", text="tail", match_type=MatchType.REGEX)
    rule(pattern="尾巴", text="contains", match_type=MatchType.CONTAINS, priority=-1)
    assert matched_text(account, "x" * 10 + "尾巴") == "tail"
    assert matched_text(account, "x" * 5000 + "尾巴") == "contains"


def test_registered_actions_are_offered_by_name():
    names = [name for name, _ in handlers.choices()]
    assert {"hospital_intro", "campus_guide", "nearest_campus", "department_list"} <= set(names)


def test_an_action_name_cannot_be_registered_twice():
    with pytest.raises(ValueError):
        handlers.action("hospital_intro")(lambda ctx: "impostor")
