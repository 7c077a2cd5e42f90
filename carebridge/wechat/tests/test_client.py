"""The client against the sandbox over real loopback HTTP: tokens added, errors raised, the
token-error retry (once, and only expiring the token that failed), busy back-off."""

import httpx
import pytest
from django.core.cache import cache
from django.utils import timezone

from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxToken
from carebridge.tests.ports import free_port
from carebridge.wechat import client as client_module
from carebridge.wechat import transport
from carebridge.wechat.client import WeChatClient
from carebridge.wechat.transport import WeChatError, WeChatUnreachable

from .outgoing_helpers import app_id

pytestmark = pytest.mark.django_db(transaction=True)

MENU = {"button": [{"type": "click", "name": "预约挂号", "key": "BOOK"}]}


def fetches(account) -> int:
    return wxapi.count(app_id(account), "stable_token")


def test_it_adds_the_token_and_returns_wechats_answer(sandbox, account):
    client = WeChatClient(account)
    assert client.post("/cgi-bin/menu/create", MENU)["errcode"] == 0
    menu = client.get("/cgi-bin/menu/get")["menu"]
    assert menu["button"][0]["name"] == "预约挂号"


def test_it_raises_wechats_error_with_a_message_for_staff(sandbox, account):
    with pytest.raises(WeChatError) as caught:
        WeChatClient(account).get("/cgi-bin/menu/get")
    assert caught.value.errcode == 46003
    assert caught.value.staff_message == "公众号尚未设置自定义菜单"
    assert "46003" in str(caught.value) and "menu no exist" in str(caught.value)


def test_one_token_serves_every_call(sandbox, account):
    client = WeChatClient(account)
    client.post("/cgi-bin/menu/create", MENU)
    WeChatClient(account).get("/cgi-bin/menu/get")
    assert fetches(account) == 1


def _counting_reads(client) -> list:
    reads = []
    real_get = client.tokens.get
    client.tokens.get = lambda avoid=None: reads.append(avoid) or real_get(avoid)
    return reads


def test_a_client_reads_the_shared_token_once_for_its_calls(sandbox, account, monkeypatch):
    client = WeChatClient(account)
    reads = _counting_reads(client)
    for _ in range(3):
        client.get("/cgi-bin/user/get")
    assert reads == [None]
    # Past TOKEN_REUSE_SECONDS a call reads the shared token again: another process may have
    # replaced it.
    monkeypatch.setattr(client_module, "TOKEN_REUSE_SECONDS", -1)
    client = WeChatClient(account)
    reads = _counting_reads(client)
    for _ in range(3):
        client.get("/cgi-bin/user/get")
    assert reads == [None, None, None]


def test_a_token_of_512_characters_is_kept_and_sent_whole(sandbox, account):
    from carebridge.sandbox.models import SandboxToken

    WeChatClient(account).get("/cgi-bin/user/get")  # accepted: the token arrived whole
    issued = SandboxToken.objects.get(app_id=app_id(account)).value
    assert len(issued) >= 512
    assert WeChatClient(account).tokens.peek().value == issued


def test_the_classic_token_api_can_be_chosen(sandbox, account, settings):
    settings.WECHAT_TOKEN_API = "classic"
    WeChatClient(account).post("/cgi-bin/menu/create", MENU)
    assert wxapi.count(app_id(account), "token") == 1
    assert fetches(account) == 0


def test_an_expired_token_is_replaced_and_the_call_retried_once(sandbox, account):
    client = WeChatClient(account)
    client.post("/cgi-bin/menu/create", MENU)
    old = cache.get(client.tokens.key)["value"]
    SandboxToken.objects.filter(value=old).update(expires_at=timezone.now())  # WeChat: 42001

    assert client.get("/cgi-bin/menu/get")["menu"]["button"]
    assert fetches(account) == 2
    assert cache.get(client.tokens.key)["value"] != old


def test_a_stale_token_from_another_process_does_not_expire_the_fresh_one(sandbox, account):
    """Process A still holds T1; process B already replaced it with T2 in the shared cache.
    A's 40001 must not throw T2 away (that would break B and every other process)."""
    client = WeChatClient(account)
    stale = client.tokens.get()
    SandboxToken.objects.filter(value=stale).update(expires_at=timezone.now())
    fresh = client.tokens.get(avoid=stale)  # what process B did: fetched T2 into the cache
    assert fresh != stale
    before = fetches(account)

    handed = iter([stale])
    real_get = client.tokens.get
    client.tokens.get = lambda avoid=None: next(handed, None) or real_get(avoid)  # A holds T1

    client.post("/cgi-bin/menu/create", MENU)
    assert cache.get(client.tokens.key)["value"] == fresh
    assert fetches(account) == before  # nobody fetched again


def test_it_retries_only_once_after_a_token_error(sandbox, account):
    client = WeChatClient(account)
    client.tokens.get()
    wxapi.inject_error(app_id(account), 40001, times=2, path="menu/get")
    with pytest.raises(WeChatError) as caught:
        client.get("/cgi-bin/menu/get")
    assert caught.value.errcode == 40001


def test_it_backs_off_and_retries_when_wechat_is_busy(sandbox, account, settings, monkeypatch):
    pauses = []
    monkeypatch.setattr(transport.time, "sleep", pauses.append)
    settings.WECHAT_BUSY_BACKOFF = [0.2, 0.5, 1.0]
    wxapi.inject_error(app_id(account), -1, times=2, path="menu/create")

    assert WeChatClient(account).post("/cgi-bin/menu/create", MENU)["errcode"] == 0
    assert pauses == [0.2, 0.5]


def test_it_gives_up_when_wechat_stays_busy(sandbox, account, settings, monkeypatch):
    pauses = []
    monkeypatch.setattr(transport.time, "sleep", pauses.append)
    settings.WECHAT_BUSY_BACKOFF = [0.2, 0.5]
    wxapi.inject_error(app_id(account), -1, times=3, path="menu/create")

    with pytest.raises(WeChatError) as caught:
        WeChatClient(account).post("/cgi-bin/menu/create", MENU)
    assert caught.value.errcode == -1
    assert caught.value.staff_message == "微信系统繁忙，请稍后再试"
    assert pauses == [0.2, 0.5]


def test_a_rate_limit_surfaces_as_an_error(sandbox, account, monkeypatch):
    monkeypatch.setattr(transport.time, "sleep", lambda s: None)
    wxapi.inject_error(app_id(account), 45009, path="menu/create")
    with pytest.raises(WeChatError) as caught:
        WeChatClient(account).post("/cgi-bin/menu/create", MENU)
    assert caught.value.errcode == 45009
    assert "上限" in caught.value.staff_message


def test_an_unreachable_wechat_is_reported_as_such(account, settings):
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(WeChatUnreachable) as caught:
        WeChatClient(account).get("/cgi-bin/menu/get")
    assert caught.value.staff_message == "无法连接微信服务器"


def test_a_calls_url_is_built_once_per_path_parameters_and_token(settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/wx"
    url = transport._url("/cgi-bin/message/template/send", {"access_token": "t" * 512})
    send = "http://127.0.0.1:9/wx/cgi-bin/message/template/send"
    assert str(url) == f"{send}?access_token={'t' * 512}"
    again = transport._url("/cgi-bin/message/template/send", {"access_token": "t" * 512})
    assert again is url
    renewed = transport._url("/cgi-bin/message/template/send", {"access_token": "u" * 512})
    assert renewed is not url and renewed.params["access_token"] == "u" * 512
    listed = transport._url("/cgi-bin/x", {"access_token": "t", "ids": ["a", "b"]})
    assert listed.params.get_list("ids") == ["a", "b"]
    settings.WECHAT_API_BASE = "http://127.0.0.1:10/wx"
    assert transport._url("/cgi-bin/x", {"access_token": "t"}).port == 10


@pytest.mark.parametrize(
    "error, passing",
    [
        (WeChatUnreachable("ConnectError: connection refused"), True),
        (WeChatUnreachable("ReadTimeout: timed out"), True),
        (WeChatUnreachable("HTTP 503"), True),
        (WeChatError(-1, "system error"), True),
        (WeChatError(45009, "reach max api daily quota limit"), True),
        (WeChatError(45011, "api minute-quota reach limit"), True),
        (WeChatError(42001, "access_token expired"), True),
        (WeChatError(40003, "invalid openid"), False),
        (WeChatError(40037, "invalid template_id"), False),
        (WeChatError(43004, "require subscribe"), False),
        (WeChatError(43101, "user refuse to accept the msg"), False),
        (WeChatError(47003, "argument invalid"), False),
        (WeChatError(99999, "a code nobody documented"), False),
    ],
    ids=lambda v: str(getattr(v, "errcode", v)),
)
def test_each_error_is_passing_or_permanent_by_one_table(error, passing):
    assert transport.is_passing(error) is passing


def test_the_client_s_own_error_sets_are_the_passing_rows_of_the_table():
    passing = {code for code, (kind, _) in transport.ERRCODES.items() if kind == transport.PASSING}
    assert passing == {transport.BUSY} | transport.TOKEN_ERRORS | transport.RATE_LIMITED


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_from_wechat_s_gateway_is_no_answer(account, settings, monkeypatch, status):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/wx"
    monkeypatch.setattr(
        transport,
        "outgoing",
        lambda: httpx.Client(
            transport=httpx.MockTransport(
                lambda request: httpx.Response(status, text="Bad Gateway")
            )
        ),
    )
    with pytest.raises(WeChatUnreachable) as caught:
        transport.request_json("GET", "/cgi-bin/menu/get")
    assert transport.is_passing(caught.value)
