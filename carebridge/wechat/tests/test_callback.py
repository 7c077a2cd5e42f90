"""The callback endpoint: every message and event type in every message mode, URL verification,
and every kind of bad request (clear status, nothing recorded)."""

import time
from urllib.parse import urlencode

import pytest

from carebridge.outbox.models import OutboxMessage
from carebridge.wechat import callback, crypto, xml
from carebridge.wechat.credentials import sandbox_credentials
from carebridge.wechat.models import AutoReply, CallbackReceipt, CsGrant, Follower
from carebridge.wechat.models.routing import MatchType, ReplyType, Trigger

from .callback_helper import TRANSPORTS, WeChatCallbacks, fixture

pytestmark = pytest.mark.django_db

BOOKING = "请点击菜单「就医服务 → 预约挂号」预约。"
DEFAULT = "您好，您的留言已收到，工作人员会尽快回复。"
WELCOME = "感谢关注仁爱医院！"
HALL_WELCOME = "欢迎来到门诊大厅，取号请点击「就医服务」。"
ABOUT = "仁爱医院始建于1921年。"
CHECKIN = "扫码签到已收到。"
INVOICE = "正在为您查询发票。"
PHOTO = "照片已收到，医生会尽快查看。"


@pytest.fixture
def wx(client, account, settings):
    return WeChatCallbacks(client, account, settings)


@pytest.fixture
def rules(account):
    def rule(trigger, pattern="", text="", **extra):
        return AutoReply.objects.create(
            account=account, trigger=trigger, pattern=pattern, text=text, **extra
        )

    rule(Trigger.KEYWORD, "挂号", BOOKING, match_type=MatchType.EXACT)
    rule(Trigger.DEFAULT, text=DEFAULT)
    rule(Trigger.SUBSCRIBE, text=WELCOME)
    rule(Trigger.SUBSCRIBE, "outpatient_hall", HALL_WELCOME)
    rule(Trigger.CLICK, "ABOUT_HOSPITAL", ABOUT)
    rule(Trigger.CLICK, "SCAN_CHECKIN", CHECKIN)
    rule(Trigger.CLICK, "SCAN_INVOICE", INVOICE)
    rule(Trigger.CLICK, "PHOTO_REPORT", PHOTO)
    rule(Trigger.CLICK, "NEAREST_CAMPUS", reply_type=ReplyType.ACTION, action="nearest_campus")


# fixture → the reply's Content (None: answered "success").
EXPECTED = {
    "text__keyword": BOOKING,
    "text__question": DEFAULT,
    "image__photo": DEFAULT,
    "voice__recognition": BOOKING,
    "voice__plain": DEFAULT,
    "video__clip": DEFAULT,
    "shortvideo__clip": DEFAULT,
    "location__message": DEFAULT,
    "link__article": DEFAULT,
    "event__subscribe": WELCOME,
    "event__subscribe_scene": HALL_WELCOME,
    "event__unsubscribe": None,
    "event__scan": HALL_WELCOME,
    "event__location": None,
    "event__click": ABOUT,
    "event__view": None,
    "event__scancode_push": CHECKIN,
    "event__scancode_waitmsg": INVOICE,
    "event__pic_sysphoto": PHOTO,
    "event__pic_photo_or_album": PHOTO,
    "event__pic_weixin": PHOTO,
    "event__location_select": "暂无院区信息。",
    "event__templatesendjobfinish": None,
    "event__masssendjobfinish": None,
    "event__publishjobfinish": None,  # a report: recorded, answered "success"
    "miniprogrampage__card": None,
    "event__user_get_card": None,
}


def test_every_fixture_has_an_expectation():
    from .callback_helper import fixture_names

    assert sorted(EXPECTED) == fixture_names()


@pytest.mark.parametrize("mode,encrypted", TRANSPORTS, ids=lambda v: str(v))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_type_is_answered_in_every_mode(wx, rules, name, mode, encrypted):
    content = EXPECTED[name]
    reply = wx.check_callback(
        name,
        mode=mode,
        encrypted=encrypted,
        expect_reply={} if content is None else {"MsgType": "text", "Content": content},
    )
    if content is not None:
        assert int(reply["CreateTime"]) >= int(time.time()) - 5
    sent = xml.parse(fixture(name).encode())
    receipt = CallbackReceipt.objects.get()
    assert receipt.msg_type == sent["MsgType"].lower()
    assert receipt.event == sent.get("Event", "").lower()
    assert receipt.openid == sent["FromUserName"]


# --- URL verification (GET) -------------------------------------------------------------------


def verification(creds, echostr="echo-4711", timestamp=None, signature=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "signature": signature or crypto.signature(creds.token, timestamp, "n0nce"),
        "timestamp": timestamp,
        "nonce": "n0nce",
        "echostr": echostr,
    }


@pytest.mark.parametrize("mode", ["plaintext", "compatible", "safe"])
def test_url_verification_echoes_echostr(client, account, wx, mode):
    creds = wx.use_mode(mode)
    response = client.get(f"/wechat/{account.slug}/", verification(creds))
    assert response.status_code == 200
    assert response.content == b"echo-4711"


def test_url_verification_with_a_bad_signature_is_refused(client, account, wx):
    creds = wx.use_mode("safe")
    params = verification(creds, signature="0" * 40)
    response = client.get(f"/wechat/{account.slug}/", params)
    assert response.status_code == 403
    assert b"echo-4711" not in response.content


def test_url_verification_with_another_accounts_token_is_refused(client, account, wx):
    wx.use_mode("safe")
    params = verification(sandbox_credentials("another-account"))
    assert client.get(f"/wechat/{account.slug}/", params).status_code == 403


def test_url_verification_with_a_stale_timestamp_is_refused(client, account, wx):
    creds = wx.use_mode("safe")
    params = verification(creds, timestamp=int(time.time()) - 3600)
    assert client.get(f"/wechat/{account.slug}/", params).status_code == 403


def test_url_verification_without_echostr_is_a_bad_request(client, account, wx):
    creds = wx.use_mode("safe")
    params = verification(creds, echostr="")
    assert client.get(f"/wechat/{account.slug}/", params).status_code == 400


def test_an_unknown_account_is_not_found(client, account):
    creds = sandbox_credentials("nobody")
    assert client.get("/wechat/nobody/", verification(creds)).status_code == 404
    params, body = callback.sign_request(creds, fixture("text__keyword"), encrypted=True)
    response = client.post(
        "/wechat/nobody/?" + urlencode(params), data=body, content_type="text/xml"
    )
    assert response.status_code == 404


def test_other_methods_are_not_allowed(client, account):
    assert client.put(f"/wechat/{account.slug}/").status_code == 405


# --- Refused POSTs: a clear status and nothing recorded ---------------------------------------


def assert_nothing_recorded():
    assert not CallbackReceipt.objects.exists()
    assert not Follower.objects.exists()
    assert not CsGrant.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("mode,encrypted", TRANSPORTS, ids=lambda v: str(v))
def test_a_bad_signature_is_refused(wx, rules, mode, encrypted):
    response, _, _ = wx.post(
        wx.body("text__keyword"), mode, encrypted, params={"signature": "f" * 40}
    )
    assert response.status_code == 403
    assert_nothing_recorded()


@pytest.mark.parametrize("mode", ["compatible", "safe"])
def test_a_bad_msg_signature_is_refused(wx, rules, mode):
    response, _, _ = wx.post(
        wx.body("text__keyword"), mode, encrypted=True, params={"msg_signature": "e" * 40}
    )
    assert response.status_code == 403
    assert_nothing_recorded()


@pytest.mark.parametrize("mode,encrypted", TRANSPORTS, ids=lambda v: str(v))
@pytest.mark.parametrize("skew", [-3600, 3600])
def test_a_stale_or_future_timestamp_is_refused(wx, rules, skew, mode, encrypted):
    response, _, _ = wx.post(
        wx.body("text__keyword"), mode, encrypted, timestamp=int(time.time()) + skew
    )
    assert response.status_code == 403
    assert_nothing_recorded()


def test_a_replayed_request_with_an_old_signature_is_refused(wx, rules):
    old = int(time.time()) - 600
    response, _, _ = wx.post(wx.body("text__keyword", CreateTime=old), timestamp=old)
    assert response.status_code == 403
    assert_nothing_recorded()


def test_a_plaintext_message_to_a_safe_mode_account_is_refused(wx, rules):
    response, _, _ = wx.post(wx.body("text__keyword"), mode="safe", encrypted=False)
    assert response.status_code == 403
    assert_nothing_recorded()


def test_an_encrypted_message_to_a_plaintext_account_is_refused(wx, rules):
    response, _, _ = wx.post(wx.body("text__keyword"), mode="plaintext", encrypted=True)
    assert response.status_code == 400
    assert_nothing_recorded()


def test_a_message_encrypted_for_another_app_is_refused(wx, client, account, rules):
    creds = wx.use_mode("safe")
    other = sandbox_credentials("another-account")
    encrypt = crypto.encrypt(wx.body("text__keyword").encode(), other.aes_key, other.app_id)
    params, _ = callback.sign_request(creds, "", encrypted=False)
    params.update(
        encrypt_type="aes",
        msg_signature=crypto.signature(creds.token, params["timestamp"], params["nonce"], encrypt),
    )
    body = xml.render({"ToUserName": "gh_renai0000001", "Encrypt": encrypt})
    response = client.post(
        f"/wechat/{account.slug}/?" + urlencode(params),
        data=body,
        content_type="text/xml",
    )
    assert response.status_code == 403
    assert_nothing_recorded()


UNSAFE_OR_MALFORMED = [
    "bad__billion_laughs",
    "bad__quadratic_blowup",
    "bad__external_entity",
    "bad__malformed",
    "bad__wrong_root",
]


@pytest.mark.parametrize("mode,encrypted", TRANSPORTS, ids=lambda v: str(v))
@pytest.mark.parametrize("name", UNSAFE_OR_MALFORMED)
def test_unsafe_or_malformed_xml_is_a_bad_request(wx, rules, name, mode, encrypted):
    response, _, _ = wx.post(fixture(name), mode, encrypted)
    assert response.status_code == 400
    assert b"root:" not in response.content  # no file content, ever
    assert_nothing_recorded()


@pytest.mark.parametrize("name", ["bad__billion_laughs", "bad__quadratic_blowup"])
def test_an_xml_bomb_is_refused_in_milliseconds(wx, rules, name):
    wx.post(wx.body("text__keyword"))  # warm up: the first request imports and connects
    started = time.perf_counter()
    response, _, _ = wx.post(fixture(name), mode="safe")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    # Expanded, either bomb is gigabytes (or 40 MB copied 8,000 times): seconds at best. Refused
    # before expansion it costs what a small message costs.
    assert elapsed < 0.25, f"{elapsed * 1000:.0f} ms"


@pytest.mark.parametrize("mode,encrypted", TRANSPORTS, ids=lambda v: str(v))
def test_a_message_without_a_sender_is_a_bad_request(wx, rules, mode, encrypted):
    response, _, _ = wx.post(wx.body("bad__missing_sender"), mode, encrypted)
    assert response.status_code == 400
    assert b"FromUserName" in response.content
    assert_nothing_recorded()


@pytest.mark.parametrize(
    "field,value",
    [("CreateTime", "yesterday"), ("MsgId", "12ab"), ("MsgType", ""), ("FromUserName", "o" * 65)],
)
def test_a_message_with_a_malformed_envelope_is_a_bad_request(wx, rules, field, value):
    response, _, _ = wx.post(wx.body("text__keyword", **{field: value}))
    assert response.status_code == 400
    assert_nothing_recorded()


@pytest.mark.parametrize("mode,encrypted", TRANSPORTS, ids=lambda v: str(v))
@pytest.mark.parametrize("name", ["text__keyword", "event__subscribe", "event__click"])
def test_a_message_for_another_account_is_refused_with_no_side_effect(
    wx, rules, name, mode, encrypted
):
    """Signed with our token but addressed to another account (a token two accounts share, or
    a message replayed from one callback address to another): 403, nothing recorded, no
    follower, no reply."""
    response, _, _ = wx.post(wx.body(name, ToUserName="gh_another00001"), mode, encrypted)
    assert response.status_code == 403
    assert response.content == b"message addressed to another account"
    assert_nothing_recorded()


def test_an_account_without_its_original_id_takes_any_addressee(wx, account, rules):
    account.original_id = ""
    account.save(update_fields=["original_id"])
    response, creds, _ = wx.post(wx.body("text__keyword", ToUserName="gh_sandbox"))
    assert response.status_code == 200
    assert callback.open_reply(creds, response.content.decode())["Content"] == BOOKING


def test_an_event_without_its_name_is_a_bad_request(wx, rules):
    body = wx.body("event__click").replace("<Event><![CDATA[CLICK]]></Event>", "")
    response, _, _ = wx.post(body)
    assert response.status_code == 400
    assert_nothing_recorded()


def test_a_nested_field_where_text_belongs_is_a_bad_request(wx, rules):
    body = wx.body("text__keyword").replace(
        "<FromUserName><![CDATA[o_alice_0000000000000000000]]></FromUserName>",
        "<FromUserName><a>o_alice</a></FromUserName>",
    )
    response, _, _ = wx.post(body)
    assert response.status_code == 400
    assert_nothing_recorded()


def test_an_encrypted_envelope_without_its_ciphertext_is_a_bad_request(wx, client, account):
    creds = wx.use_mode("safe")
    params, _ = callback.sign_request(creds, "", encrypted=False)
    params["encrypt_type"] = "aes"
    response = client.post(
        f"/wechat/{account.slug}/?" + urlencode(params),
        data="<xml><ToUserName>gh_renai0000001</ToUserName></xml>",
        content_type="text/xml",
    )
    assert response.status_code == 400
    assert_nothing_recorded()


def test_an_oversized_body_is_refused(wx, rules, settings):
    settings.WECHAT_CALLBACK_MAX_BYTES = 4096
    body = wx.body("text__keyword", Content="挂号" * 2000)
    response, _, _ = wx.post(body, mode="plaintext")
    assert response.status_code == 413
    assert_nothing_recorded()


def test_an_oversized_body_without_a_declared_length_is_refused(settings):
    # Chunked uploads carry no Content-Length: the transport checks the body it read.
    settings.WECHAT_CALLBACK_MAX_BYTES = 4096
    creds = sandbox_credentials("renai", mode="plaintext")
    params, body = callback.sign_request(creds, "<xml>" + "x" * 5000 + "</xml>", False)
    with pytest.raises(callback.Rejected) as refused:
        callback.unwrap(creds, params, body)
    assert refused.value.status == 413


def test_a_garbled_content_length_is_a_bad_request(wx, client, account, rules):
    creds = wx.use_mode("plaintext")
    params, body = callback.sign_request(creds, wx.body("text__keyword"), encrypted=False)
    response = client.generic(
        "POST",
        f"/wechat/{account.slug}/?" + urlencode(params),
        data=body,
        content_type="text/xml",
        CONTENT_LENGTH="lots",
    )
    assert response.status_code == 400
    assert_nothing_recorded()


def test_an_account_without_credentials_in_production_is_unavailable(wx, client, account, settings):
    settings.SANDBOX_ENABLED = False
    settings.WECHAT_CREDENTIALS = {}
    creds = sandbox_credentials(account.slug)
    assert client.get(f"/wechat/{account.slug}/", verification(creds)).status_code == 503
