"""The phone simulator: a simulated user follows, chats and taps the menu; every action goes to
the account's callback over real HTTP (the sandbox live server) and the reply comes back."""

import pytest

from carebridge.sandbox.models import SandboxMenu, SandboxMessage, SandboxUser
from carebridge.sandbox.phone.identity import app_id_of
from carebridge.sandbox.phone.menu import button_at
from carebridge.sandbox.wxapi.templates import register
from carebridge.tests.ports import free_port
from carebridge.wechat.models import AutoReply, Follower, QrScene
from conftest import wechat_session

from .phone_helpers import new_user

pytestmark = pytest.mark.django_db

MENU = {
    "button": [
        {
            "name": "关于医院",
            "sub_button": [
                {
                    "type": "view",
                    "name": "科室介绍",
                    "url": "http://127.0.0.1:8000/h5/renai/departments/",
                },
                {"type": "click", "name": "联系电话", "key": "CONTACT_PHONE"},
            ],
        },
        {"type": "click", "name": "就医指南", "key": "VISIT_GUIDE"},
    ]
}


def act(client, account, user, name, **fields):
    return client.post(
        f"/sandbox/phone/{name}", {"account": account.slug, "openid": user.openid, **fields}
    )


def arrived(client, account, user, after=0) -> list[dict]:
    response = client.get(
        "/sandbox/phone/messages", {"account": account.slug, "openid": user.openid, "after": after}
    )
    assert response.status_code == 200
    return response.json()["messages"]


def user_actions(user) -> list[dict]:
    rows = SandboxMessage.objects.filter(openid=user.openid, direction="out", kind="user")
    return [row.body for row in rows.order_by("id")]


# --- the page and the user ------------------------------------------------------------------


def test_the_page_asks_for_a_user_first(client, account):
    response = client.get("/sandbox/")
    assert response.status_code == 200
    page = response.content.decode()
    assert account.name in page and "新建" in page
    assert "请在左侧选择或新建一个模拟用户" in page


def test_creating_a_user_hands_them_the_phone(client, account):
    response = client.post("/sandbox/phone/users", {"account": account.slug, "nickname": " 小林 "})
    assert response.status_code == 302
    user = SandboxUser.objects.get()
    assert (user.nickname, user.app_id, user.subscribed) == ("小林", app_id_of(account), False)
    assert user.openid.startswith("o") and len(user.openid) == 28
    page = client.get(response["Location"]).content.decode()
    assert user.openid in page and "关注公众号" in page


@pytest.mark.parametrize(
    "data", [{"nickname": ""}, {"nickname": "长" * 33}, {"account": "nobody", "nickname": "x"}]
)
def test_creating_a_user_refuses_bad_input(client, account, data):
    response = client.post("/sandbox/phone/users", {"account": account.slug, **data}, follow=True)
    assert response.status_code == 200
    assert not SandboxUser.objects.exists()


def test_selecting_a_user_of_another_account_is_refused(client, account):
    SandboxUser.objects.create(app_id="wx_other", openid="o_other", nickname="别人")
    response = client.post(
        "/sandbox/phone/select", {"account": account.slug, "openid": "o_other"}, follow=True
    )
    assert "没有这个模拟用户" in response.content.decode()
    assert "o_other" not in response.content.decode()


def test_handing_the_phone_to_another_user_signs_the_last_one_out_of_h5_pages(client, account):
    xiaolin = new_user(client, account, "小林", subscribed=True)
    xiaowang = new_user(client, account, "小王", subscribed=True)
    client.post("/sandbox/phone/select", {"account": account.slug, "openid": xiaolin.openid})
    wechat_session(client, account, xiaolin.openid)
    client.post("/sandbox/phone/select", {"account": account.slug, "openid": xiaolin.openid})
    assert client.session["wechat"]["openid"] == xiaolin.openid  # the same holder stays in

    client.post("/sandbox/phone/select", {"account": account.slug, "openid": xiaowang.openid})
    assert "wechat" not in client.session


def test_each_language_is_offered_in_its_own_name(client, account):
    page = client.get("/sandbox/").content.decode()
    assert ">English</button>" in page and ">简体中文</button>" in page


def test_an_unknown_account_is_not_found(client, account):
    assert client.get("/sandbox/", {"account": "nobody"}).status_code == 404


def test_the_page_speaks_english(client, account, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/sandbox/").content.decode()
    assert '<html lang="en">' in page
    assert "Phone simulator" in page


# --- following --------------------------------------------------------------------------------


def test_following_through_a_qr_scene_sends_the_scene_and_gets_its_welcome(
    sandbox, client, account
):
    QrScene.objects.create(
        account=account, label="门诊大厅易拉宝", permanent=True, scene_str="lobby"
    )
    AutoReply.objects.create(account=account, trigger="subscribe", pattern="", text="欢迎关注")
    AutoReply.objects.create(
        account=account, trigger="subscribe", pattern="lobby", priority=10, text="欢迎来到门诊大厅"
    )
    user = new_user(client, account)
    assert "门诊大厅易拉宝" in client.get("/sandbox/").content.decode()

    response = act(client, account, user, "follow", scene="lobby")
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.subscribed and user.subscribed_at is not None
    assert user_actions(user)[-1]["Event"] == "subscribe"
    assert user_actions(user)[-1]["EventKey"] == "qrscene_lobby"
    follower = Follower.objects.get(account=account, openid=user.openid)
    assert follower.subscribed and follower.source_scene == "lobby"
    texts = [m.get("text") for m in arrived(client, account, user)]
    assert "欢迎来到门诊大厅" in texts


def test_scanning_while_following_sends_scan(sandbox, client, account):
    QrScene.objects.create(account=account, label="出院小结", permanent=True, scene_id=2001)
    user = new_user(client, account, subscribed=True)
    assert act(client, account, user, "follow", scene="2001").status_code == 200
    assert (
        user_actions(user)[-1]["Event"] == "SCAN" and user_actions(user)[-1]["EventKey"] == "2001"
    )


def test_an_unknown_scene_is_refused(sandbox, client, account):
    user = new_user(client, account)
    response = act(client, account, user, "follow", scene="nowhere")
    assert response.status_code == 400 and response.json()["error"]
    user.refresh_from_db()
    assert not user.subscribed and not user_actions(user)


def test_following_twice_is_refused(sandbox, client, account):
    user = new_user(client, account, subscribed=True)
    assert act(client, account, user, "follow").status_code == 409
    assert not user_actions(user)


def test_unfollowing(sandbox, client, account):
    user = new_user(client, account)
    act(client, account, user, "follow")
    assert act(client, account, user, "unfollow").status_code == 200
    user.refresh_from_db()
    assert not user.subscribed
    assert not Follower.objects.get(account=account, openid=user.openid).subscribed
    assert act(client, account, user, "unfollow").status_code == 409


# --- chatting ---------------------------------------------------------------------------------


def test_a_text_reaches_the_callback_and_the_reply_arrives(sandbox, client, account):
    AutoReply.objects.create(
        account=account,
        trigger="keyword",
        match_type="contains",
        pattern="挂号",
        text="请点菜单「就医服务」→「预约挂号」",
    )
    user = new_user(client, account, subscribed=True)
    response = act(client, account, user, "send", kind="text", content="我想挂号")
    assert response.status_code == 200, response.content
    sent = user_actions(user)[-1]
    assert sent["MsgType"] == "text" and sent["Content"] == "我想挂号" and sent["MsgId"]
    messages = arrived(client, account, user)
    assert [m["side"] for m in messages] == ["me", "account"]
    assert messages[1]["text"] == "请点菜单「就医服务」→「预约挂号」"
    assert arrived(client, account, user, after=messages[-1]["id"]) == []


def test_a_location_and_a_voice_message(sandbox, client, account):
    user = new_user(client, account, subscribed=True)
    assert (
        act(
            client,
            account,
            user,
            "send",
            kind="location",
            latitude="31.3",
            longitude="120.58",
            label="苏州",
        ).status_code
        == 200
    )
    assert act(client, account, user, "send", kind="voice", content="挂号").status_code == 200
    location, voice = user_actions(user)
    assert (location["MsgType"], location["Location_X"], location["Label"]) == (
        "location",
        "31.300000",
        "苏州",
    )
    assert (voice["MsgType"], voice["Recognition"]) == ("voice", "挂号")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "text", "content": "  "},
        {"kind": "text", "content": "字" * 2001},
        {"kind": "image"},
        {"kind": "location", "latitude": "200", "longitude": "120"},
        {"kind": "location", "latitude": "31"},
        {"kind": "voice"},
    ],
)
def test_bad_messages_are_refused_and_nothing_is_sent(sandbox, client, account, fields):
    user = new_user(client, account, subscribed=True)
    response = act(client, account, user, "send", **fields)
    assert response.status_code == 400 and response.json()["error"]
    assert not SandboxMessage.objects.exists()


def test_a_non_follower_cannot_write(sandbox, client, account):
    user = new_user(client, account)
    assert act(client, account, user, "send", kind="text", content="你好").status_code == 409
    assert not SandboxMessage.objects.exists()


def test_the_phone_acts_only_for_users_of_the_account(sandbox, client, account):
    stranger = SandboxUser.objects.create(
        app_id="wx_other", openid="o_stranger", nickname="x", subscribed=True
    )
    assert act(client, account, stranger, "send", kind="text", content="hi").status_code == 400
    response = client.post(
        "/sandbox/phone/send",
        {"account": "nobody", "openid": "o_stranger", "kind": "text", "content": "hi"},
    )
    assert response.status_code == 404
    assert (
        client.get(
            "/sandbox/phone/messages", {"account": account.slug, "openid": "o_stranger"}
        ).status_code
        == 400
    )
    assert not SandboxMessage.objects.exists()


def test_an_unreachable_callback_is_reported(sandbox, client, account, settings):
    user = new_user(client, account, subscribed=True)
    settings.SITE_URL = f"http://127.0.0.1:{free_port()}"
    response = act(client, account, user, "send", kind="text", content="你好")
    assert response.status_code == 502 and "ConnectError" in response.json()["error"]


def test_a_bad_poll_cursor_is_refused(client, account):
    user = new_user(client, account)
    response = client.get(
        "/sandbox/phone/messages", {"account": account.slug, "openid": user.openid, "after": "x"}
    )
    assert response.status_code == 400


def test_customer_service_template_and_mass_messages_are_shown(client, account):
    user = new_user(client, account, subscribed=True)
    app_id = app_id_of(account)
    SandboxMessage.objects.create(
        app_id=app_id,
        openid=user.openid,
        kind="custom",
        body={"msgtype": "text", "text": {"content": "您好，我是客服小王"}},
    )
    SandboxMessage.objects.create(
        app_id=app_id,
        openid=user.openid,
        kind="template",
        body={
            "template_id": "TPL_APPT",
            "url": "http://127.0.0.1:8000/h5/renai/appointments/1/",
            "data": {"first": {"value": "预约成功"}, "keyword1": {"value": "心内科"}},
        },
    )
    SandboxMessage.objects.create(
        app_id=app_id,
        openid=user.openid,
        kind="mass",
        body={
            "msgtype": "news",
            "news": {"articles": [{"title": "冬季流感防护", "url": "http://x/"}]},
        },
    )
    custom, template, mass = arrived(client, account, user)
    assert (custom["label"], custom["text"]) == ("客服消息", "您好，我是客服小王")
    assert template["type"] == "template" and template["fields"][1] == {
        "name": "keyword1",
        "value": "心内科",
    }
    assert mass["type"] == "news" and mass["articles"][0]["title"] == "冬季流感防护"


def test_a_template_in_the_library_shows_its_title_and_labels_in_its_order(client, account):
    user = new_user(client, account, subscribed=True)
    app_id = app_id_of(account)
    register(
        app_id,
        "TPL_APPT",
        "预约挂号成功通知",
        "{{first.DATA}}\n就诊科室：{{keyword1.DATA}}\n就诊时间: {{keyword2.DATA}}\n{{remark.DATA}}",
    )
    SandboxMessage.objects.create(
        app_id=app_id,
        openid=user.openid,
        kind="template",
        body={
            "template_id": "TPL_APPT",
            "data": {  # not in the template's order, and one key it does not have
                "remark": {"value": "请按时就诊"},
                "keyword2": {"value": "12月1日 08:30"},
                "first": {"value": "您已预约成功"},
                "keyword1": {"value": "心内科"},
                "extra": {"value": "附加"},
            },
        },
    )
    [template] = arrived(client, account, user)
    assert template["title"] == "预约挂号成功通知"
    assert template["fields"] == [
        {"name": "", "value": "您已预约成功"},
        {"name": "就诊科室", "value": "心内科"},
        {"name": "就诊时间", "value": "12月1日 08:30"},
        {"name": "", "value": "请按时就诊"},
        {"name": "extra", "value": "附加"},
    ]


# --- the menu ---------------------------------------------------------------------------------


def push_menu(account):
    SandboxMenu.objects.create(app_id=app_id_of(account), body=MENU)


def test_without_a_pushed_menu_the_page_says_how_to_push_it(client, account):
    new_user(client, account, subscribed=True)
    page = client.get("/sandbox/").content.decode()
    assert "sync-menu" in page


def test_a_click_button_sends_its_key_and_the_reply_arrives(sandbox, client, account):
    push_menu(account)
    AutoReply.objects.create(
        account=account, trigger="click", pattern="CONTACT_PHONE", text="总机 0512-12345678"
    )
    user = new_user(client, account, subscribed=True)
    response = act(client, account, user, "menu", path="0.1")
    assert response.status_code == 200 and response.json()["open"] == ""
    assert user_actions(user)[-1] | {"CreateTime": 0} == {
        "ToUserName": account.original_id,
        "FromUserName": user.openid,
        "CreateTime": 0,
        "MsgType": "event",
        "Event": "CLICK",
        "EventKey": "CONTACT_PHONE",
    }
    assert arrived(client, account, user)[-1]["text"] == "总机 0512-12345678"


def test_a_view_button_reports_the_view_and_opens_the_page(sandbox, client, account):
    push_menu(account)
    user = new_user(client, account, subscribed=True)
    response = act(client, account, user, "menu", path="0.0")
    assert response.json()["open"] == MENU["button"][0]["sub_button"][0]["url"]
    assert user_actions(user)[-1]["Event"] == "VIEW"
    assert "cb_sandbox_phone" in response.cookies  # the page opens as this user


TOOLS_MENU = {
    "button": [
        {
            "name": "自助服务",
            "sub_button": [
                {"type": "scancode_push", "name": "扫码签到", "key": "SCAN_CHECKIN"},
                {"type": "scancode_waitmsg", "name": "扫发票", "key": "SCAN_INVOICE"},
                {"type": "pic_sysphoto", "name": "拍照上传", "key": "PHOTO_REPORT"},
                {"type": "pic_photo_or_album", "name": "传报告单", "key": "PHOTO_REPORT"},
                {"type": "pic_weixin", "name": "相册上传", "key": "PHOTO_REPORT"},
            ],
        },
        {"type": "location_select", "name": "最近院区", "key": "NEAREST"},
    ]
}


@pytest.mark.parametrize(
    "path, event, block",
    [
        ("0.0", "scancode_push", "ScanCodeInfo"),
        ("0.1", "scancode_waitmsg", "ScanCodeInfo"),
        ("0.2", "pic_sysphoto", "SendPicsInfo"),
        ("0.3", "pic_photo_or_album", "SendPicsInfo"),
        ("0.4", "pic_weixin", "SendPicsInfo"),
        ("1", "location_select", "SendLocationInfo"),
    ],
)
def test_scan_photo_and_location_buttons_send_their_event_and_the_reply_arrives(
    sandbox, client, account, path, event, block
):
    SandboxMenu.objects.create(app_id=app_id_of(account), body=TOOLS_MENU)
    button = button_at(TOOLS_MENU["button"], path)
    AutoReply.objects.create(
        account=account, trigger="click", pattern=button["key"], text=f"收到：{button['name']}"
    )
    user = new_user(client, account, subscribed=True)
    response = act(client, account, user, "menu", path=path)
    assert response.status_code == 200 and response.json()["open"] == ""
    sent = user_actions(user)[-1]
    assert (sent["Event"], sent["EventKey"]) == (event, button["key"])
    assert isinstance(sent[block], dict)
    assert arrived(client, account, user)[-1]["text"] == f"收到：{button['name']}"


@pytest.mark.parametrize("path", ["0", "2", "0.4", "9", "0.0.0", ""])
def test_a_button_not_in_the_menu_is_refused(sandbox, client, account, path):
    push_menu(account)
    user = new_user(client, account, subscribed=True)
    assert act(client, account, user, "menu", path=path).status_code == 400
    assert not SandboxMessage.objects.exists()


# --- never in production ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/sandbox/"),
        ("post", "/sandbox/phone/users"),
        ("post", "/sandbox/phone/select"),
        ("post", "/sandbox/phone/snapshot"),
        ("post", "/sandbox/phone/follow"),
        ("post", "/sandbox/phone/unfollow"),
        ("post", "/sandbox/phone/send"),
        ("post", "/sandbox/phone/menu"),
        ("get", "/sandbox/phone/messages"),
        ("get", "/sandbox/phone/send"),
    ],
)
def test_the_phone_never_answers_when_the_sandbox_is_off(client, account, settings, method, url):
    user = new_user(client, account, subscribed=True)
    settings.SANDBOX_ENABLED = False
    response = getattr(client, method)(
        url,
        {
            "account": account.slug,
            "openid": user.openid,
            "nickname": "x",
            "kind": "text",
            "content": "hi",
        },
    )
    assert response.status_code == 404
    assert not SandboxMessage.objects.exists() and SandboxUser.objects.count() == 1


def test_snapshot_mode_is_switched_per_user(client, account):
    user = new_user(client, account)
    assert act(client, account, user, "snapshot", snapshot="1").json() == {
        "ok": True,
        "snapshot": True,
    }
    user.refresh_from_db()
    assert user.snapshot
    act(client, account, user, "snapshot", snapshot="0")
    user.refresh_from_db()
    assert not user.snapshot
