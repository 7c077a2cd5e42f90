"""The sandbox's menu, QR, message and user APIs refuse what WeChat refuses, with its errcodes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.institutions.models import AccountType
from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxCounter, SandboxMessage, SandboxQrTicket, SandboxUser
from carebridge.sandbox.wxapi.templates import register
from carebridge.sandbox.wxapi.tokens import issue

BASE = "/sandbox/wx/cgi-bin"
ALICE, BOB, CAROL = "o_alice_sandbox", "o_bob_sandbox", "o_carol_sandbox"


@pytest.fixture
def api(client, account):
    """Call the sandbox as the account would: ``api("menu/create", body)`` → JSON answer."""
    app_id = account.credentials.app_id
    token = issue(app_id, "stable").value
    for openid, following in ((ALICE, True), (BOB, True), (CAROL, False)):
        SandboxUser.objects.create(
            app_id=app_id,
            openid=openid,
            nickname=openid,
            subscribed=following,
            subscribed_at=timezone.now() if following else None,
        )

    def call(path, body=None, **params):
        if body is None:
            return client.get(f"{BASE}/{path}", {**params, "access_token": token}).json()
        url = f"{BASE}/{path}?access_token={token}"
        return client.post(url, body, content_type="application/json").json()

    call.app_id = app_id
    return call


def button(**fields):
    return {"type": "click", "name": "挂号", "key": "BOOK", **fields}


# --- menu ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "buttons, errcode",
    [
        ([], 40016),
        ([button()] * 4, 40016),
        ([button(name="关于我们医院")], 40018),  # 18 bytes
        ([button(type="dance")], 40017),
        ([button(key="K" * 129)], 40019),
        ([button(type="view", url="")], 40020),
        ([button(type="view", url="ftp://h.example.cn/")], 40055),
        ([{"name": "服务", "sub_button": [button()] * 6}], 40023),
        ([{"name": "服务", "sub_button": [button(name="预" * 21)]}], 40025),
        ([{"name": "服务", "sub_button": [button(type="dance")]}], 40024),
        ([{"name": "服务", "sub_button": [button(key="")]}], 40026),
        ([{"name": "服务", "sub_button": [button(type="view", url="x" * 1025)]}], 40027),
    ],
)
def test_menu_create_refuses_what_wechat_refuses(api, buttons, errcode):
    assert api("menu/create", {"button": buttons})["errcode"] == errcode
    assert api("menu/get")["errcode"] == 46003


@pytest.mark.django_db
def test_a_menu_is_stored_read_back_and_deleted(api):
    menu = {"button": [button(), {"name": "服务", "sub_button": [button(name="查报告")]}]}
    assert api("menu/create", menu)["errcode"] == 0
    read = api("menu/get")["menu"]["button"]
    assert read[0]["sub_button"] == [] and read[1]["sub_button"][0]["name"] == "查报告"
    assert api("menu/delete")["errcode"] == 0
    assert api("menu/get")["errcode"] == 46003


@pytest.mark.django_db
def test_the_1001st_menu_create_of_the_day_is_refused(api):
    SandboxCounter.objects.create(
        app_id=api.app_id, name="menu_create", period=wxapi.today(), count=1000
    )
    assert api("menu/create", {"button": [button()]})["errcode"] == 45009


# --- QR codes ------------------------------------------------------------------------------


def qr(action, scene, expire=None):
    body = {"action_name": action, "action_info": {"scene": scene}}
    if expire is not None:
        body["expire_seconds"] = expire
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, errcode",
    [
        (qr("QR_FOREVER", {"scene_id": 1}), 40052),
        (qr("QR_LIMIT_SCENE", {"scene_id": 100_001}), 40053),
        (qr("QR_LIMIT_SCENE", {"scene_id": 0}), 40053),
        (qr("QR_SCENE", {"scene_id": 2**32}, 60), 40053),
        (qr("QR_STR_SCENE", {"scene_str": "x" * 65}, 60), 40053),
        (qr("QR_STR_SCENE", {"scene_id": 5}, 60), 40053),
        (qr("QR_SCENE", {"scene_id": 5}, 2_592_001), 40097),
    ],
)
def test_qrcode_create_refuses_what_wechat_refuses(api, body, errcode):
    assert api("qrcode/create", body)["errcode"] == errcode
    assert not SandboxQrTicket.objects.exists()


@pytest.mark.django_db
def test_a_temporary_code_defaults_to_60_seconds_and_expires(api, client):
    answer = api("qrcode/create", qr("QR_SCENE", {"scene_id": 123}))
    assert answer["expire_seconds"] == 60 and answer["url"].startswith("http://weixin.qq.com/q/")
    image = client.get(f"{BASE}/showqrcode", {"ticket": answer["ticket"]})
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    SandboxQrTicket.objects.update(expires_at=timezone.now())
    assert client.get(f"{BASE}/showqrcode", {"ticket": answer["ticket"]}).status_code == 404
    assert client.get(f"{BASE}/showqrcode", {"ticket": "nope"}).status_code == 404


@pytest.mark.django_db
def test_a_permanent_scene_keeps_its_ticket(api):
    first = api("qrcode/create", qr("QR_LIMIT_STR_SCENE", {"scene_str": "ward"}))
    again = api("qrcode/create", qr("QR_LIMIT_STR_SCENE", {"scene_str": "ward"}))
    assert first["ticket"] == again["ticket"] and "expire_seconds" not in first
    assert SandboxQrTicket.objects.count() == 1


# --- template messages ---------------------------------------------------------------------


def template(openid=ALICE, **fields):
    return {
        "touser": openid,
        "template_id": "TPL_visit_ok",
        "data": {"first": {"value": "预约成功"}},
        **fields,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, errcode",
    [
        (template("o_nobody"), 40003),
        (template(CAROL), 43004),
        (template(template_id="bad id!"), 40037),
        (template(data={"first": "预约成功"}), 47001),
        (template(data=[]), 47001),
    ],
)
def test_template_send_refuses_what_wechat_refuses(api, body, errcode):
    assert api("message/template/send", body)["errcode"] == errcode
    assert not SandboxMessage.objects.exists()


@pytest.mark.django_db
def test_only_a_verified_service_account_may_send_templates(api, account):
    account.account_type = AccountType.SUBSCRIPTION
    account.save(update_fields=["account_type"])
    assert api("message/template/send", template())["errcode"] == 48001


@pytest.mark.django_db
def test_the_same_client_msg_id_is_delivered_once_for_ten_minutes(api):
    first = api("message/template/send", template(client_msg_id="visit-1"))
    again = api("message/template/send", template(client_msg_id="visit-1"))
    assert first["errcode"] == again["errcode"] == 0 and first["msgid"] == again["msgid"]
    other = api("message/template/send", template(BOB, client_msg_id="visit-1"))  # per openid
    assert other["msgid"] != first["msgid"]
    assert SandboxMessage.objects.filter(kind="template").count() == 2

    SandboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    later = api("message/template/send", template(client_msg_id="visit-1"))
    assert later["msgid"] != first["msgid"]


@pytest.mark.django_db
def test_the_100001st_template_of_the_day_is_refused(api):
    SandboxCounter.objects.create(
        app_id=api.app_id, name="template_send", period=wxapi.today(), count=100_000
    )
    assert api("message/template/send", template())["errcode"] == 45009


# --- customer-service messages ---------------------------------------------------------------


def text(openid=ALICE, content="您好"):
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


def phone(app_id, openid, fields, minutes_ago=0, kind="user"):
    SandboxMessage.objects.create(
        app_id=app_id,
        openid=openid,
        direction="out",
        kind=kind,
        body=fields,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


@pytest.mark.django_db
def test_custom_send_needs_a_recent_interaction(api):
    assert api("message/custom/send", text())["errcode"] == 45015
    phone(api.app_id, ALICE, {"MsgType": "text", "Content": "在吗"}, minutes_ago=48 * 60 + 1)
    assert api("message/custom/send", text())["errcode"] == 45015
    phone(api.app_id, ALICE, {"MsgType": "event", "Event": "VIEW"})  # opening a page is not one
    assert api("message/custom/send", text())["errcode"] == 45015


@pytest.mark.django_db
def test_a_user_message_allows_five_and_a_click_three(api):
    phone(api.app_id, ALICE, {"MsgType": "text", "Content": "在吗"}, minutes_ago=60)
    phone(api.app_id, ALICE, {"MsgType": "event", "Event": "CLICK", "EventKey": "BOOK"})
    codes = [api("message/custom/send", text())["errcode"] for _ in range(9)]
    assert codes == [0] * 8 + [45047]


@pytest.mark.django_db
def test_a_payment_allows_any_number(api):
    phone(api.app_id, BOB, {"out_trade_no": "CB1"}, minutes_ago=47 * 60, kind="payment")
    assert {api("message/custom/send", text(BOB))["errcode"] for _ in range(12)} == {0}


@pytest.mark.django_db
def test_custom_send_refuses_a_malformed_message(api):
    phone(api.app_id, ALICE, {"MsgType": "text", "Content": "在吗"})
    assert api("message/custom/send", text(content=""))["errcode"] == 44004
    assert api("message/custom/send", {"touser": ALICE, "msgtype": "sms"})["errcode"] == 40008
    assert api("message/custom/send", text("o_nobody"))["errcode"] == 40003
    assert api("message/custom/send", text(CAROL))["errcode"] == 45015


# --- mass sends ------------------------------------------------------------------------------


def notice(**fields):
    return {
        "filter": {"is_to_all": True},
        "msgtype": "text",
        "text": {"content": "本周六起接种流感疫苗"},
        **fields,
    }


@pytest.mark.django_db
def test_a_service_account_gets_four_mass_sends_a_month(api):
    codes = [api("message/mass/sendall", notice())["errcode"] for _ in range(5)]
    assert codes == [0, 0, 0, 0, 45028]
    assert SandboxMessage.objects.filter(kind="mass", openid=ALICE).count() == 4
    assert not SandboxMessage.objects.filter(kind="mass", openid=CAROL).exists()


@pytest.mark.django_db
def test_a_subscription_account_gets_one_a_day(api, account):
    account.account_type = AccountType.SUBSCRIPTION
    account.save(update_fields=["account_type"])
    codes = [api("message/mass/sendall", notice())["errcode"] for _ in range(2)]
    assert codes == [0, 45028]


@pytest.mark.django_db
def test_a_clientmsgid_makes_a_retry_safe(api):
    first = api("message/mass/sendall", notice(clientmsgid="flu-2026"))
    assert first["errmsg"] == "send job submission success"
    assert api("message/mass/sendall", notice(clientmsgid="flu-2026"))["errcode"] == 45066
    SandboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    again = api("message/mass/sendall", notice(clientmsgid="flu-2026"))
    assert again["errcode"] == 45065 and again["msg_id"] == first["msg_id"]
    long_id = api("message/mass/sendall", notice(clientmsgid="x" * 65))
    assert long_id["errcode"] == 45067
    assert SandboxMessage.objects.filter(kind="mass_job").count() == 1


@pytest.mark.django_db
def test_mass_send_limits_calls_a_day_and_a_minute(api):
    SandboxCounter.objects.create(
        app_id=api.app_id, name="mass_calls", period=wxapi.today(), count=100
    )
    assert api("message/mass/sendall", notice())["errcode"] == 45009
    SandboxCounter.objects.filter(name="mass_calls").update(count=0)
    minute = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    SandboxCounter.objects.create(
        app_id=api.app_id, name="mass_calls_minute", period=minute, count=60
    )
    assert api("message/mass/sendall", notice())["errcode"] == 45011


@pytest.mark.django_db
def test_mass_send_refuses_what_wechat_refuses(api):
    by_openid = {"msgtype": "text", "text": {"content": "通知"}}
    assert api("message/mass/send", {**by_openid, "touser": [ALICE]})["errcode"] == 40130
    assert api("message/mass/sendall", notice(text={"content": ""}))["errcode"] == 44004
    assert api("message/mass/sendall", notice(msgtype="sms"))["errcode"] == 40008
    mpnews = notice(msgtype="mpnews", mpnews={"media_id": ""})
    assert api("message/mass/sendall", mpnews)["errcode"] == 40007
    assert not SandboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_preview_reaches_one_user(api):
    answer = api("message/mass/preview", {"touser": BOB, **notice()})
    assert answer["errmsg"] == "preview success"
    assert list(SandboxMessage.objects.values_list("openid", flat=True)) == [BOB]


# --- users ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_user_list_pages_by_next_openid(api, monkeypatch):
    from carebridge.sandbox.wxapi import users

    monkeypatch.setattr(users, "PAGE", 1)
    first = api("user/get")
    assert first["total"] == 2 and first["data"]["openid"] == [ALICE]
    second = api("user/get", next_openid=first["next_openid"])
    assert second["data"]["openid"] == [BOB]
    last = api("user/get", next_openid=second["next_openid"])
    assert last == {"total": 2, "count": 0, "next_openid": ""}


@pytest.mark.django_db
def test_user_info_tells_subscribers_from_others(api):
    phone(api.app_id, ALICE, {"MsgType": "event", "Event": "subscribe", "EventKey": "qrscene_8"})
    alice = api("user/info", openid=ALICE)
    assert alice["subscribe"] == 1 and alice["qr_scene"] == 8
    assert alice["subscribe_scene"] == "ADD_SCENE_QR_CODE" and "nickname" not in alice
    assert api("user/info", openid=CAROL) == {"subscribe": 0, "openid": CAROL, "tagid_list": []}
    assert api("user/info", openid="o_nobody")["errcode"] == 40003
    assert api("user/info")["errcode"] == 41009


@pytest.mark.django_db
def test_batchget_takes_one_to_a_hundred_users(api):
    many = {"user_list": [{"openid": ALICE}] * 101}
    assert api("user/info/batchget", many)["errcode"] == 40032
    assert api("user/info/batchget", {"user_list": []})["errcode"] == 40032
    both = api("user/info/batchget", {"user_list": [{"openid": ALICE}, {"openid": CAROL}]})
    assert [u["subscribe"] for u in both["user_info_list"]] == [1, 0]


@pytest.mark.django_db
def test_the_template_library_lists_the_accounts_templates_only(api, account):
    register(api.app_id, "TPL_A", "预约挂号成功通知", "{{first.DATA}}\n就诊人：{{keyword1.DATA}}")
    register("wx_someone_else", "TPL_B", "别人的模板", "{{first.DATA}}")
    answer = api("template/get_all_private_template")
    assert [(t["template_id"], t["title"]) for t in answer["template_list"]] == [
        ("TPL_A", "预约挂号成功通知")
    ]
    assert answer["template_list"][0]["content"].endswith("就诊人：{{keyword1.DATA}}")


@pytest.mark.django_db
def test_the_template_library_wants_a_token_and_get(api, client):
    assert client.get(f"{BASE}/template/get_all_private_template").json()["errcode"] == 41001
    assert api("template/get_all_private_template", {})["errcode"] == 43001
