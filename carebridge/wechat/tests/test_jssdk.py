"""The JS-SDK signature (checked against WeChat's published example and wechatpy) and the
configuration endpoint H5 pages call."""

import pytest
from wechatpy.client.api.jsapi import WeChatJSAPI

from carebridge.sandbox import wxapi
from carebridge.sandbox.wxapi.tokens import valid_tickets
from carebridge.wechat.jssdk import signature

from .outgoing_helpers import app_id


def test_it_signs_wechats_published_example():
    ticket = (
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    )
    url = "http://mp.weixin.qq.com?params=value"
    got = signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457, url)
    assert got == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_it_agrees_with_wechatpy_and_ignores_the_fragment():
    url = "https://h.example.cn/h5/renai/campuses/?id=3&lang=zh"
    theirs = WeChatJSAPI(client=None).get_jsapi_signature("n0nce", "TICKET", 1700000000, url)
    assert signature("TICKET", "n0nce", 1700000000, url + "#map") == theirs


@pytest.mark.django_db(transaction=True)
def test_the_endpoint_answers_a_configuration_wechat_accepts(sandbox, account, client):
    page = f"{sandbox.url}/h5/renai/campuses/?id=3#map"
    config = client.get(f"/wechat/{account.slug}/jssdk/", {"url": page}).json()
    assert set(config) == {"appId", "timestamp", "nonceStr", "signature"}
    assert config["appId"] == app_id(account)
    [ticket] = valid_tickets(app_id(account))
    assert config["signature"] == signature(ticket, config["nonceStr"], config["timestamp"], page)

    client.get(f"/wechat/{account.slug}/jssdk/", {"url": page})
    assert wxapi.count(app_id(account), "ticket_jsapi") == 1  # the ticket is cached


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, error",
    [
        ("", "请提供当前页面的完整网址（url 参数）"),
        ("/h5/renai/", "请提供当前页面的完整网址（url 参数）"),
        ("javascript:alert(1)", "请提供当前页面的完整网址（url 参数）"),
        ("https://evil.example.com/page", "只能为本站页面生成 JS-SDK 签名"),
    ],
)
def test_it_refuses_a_missing_or_foreign_url(account, client, settings, url, error):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"  # no ticket may be fetched
    response = client.get(f"/wechat/{account.slug}/jssdk/", {"url": url})
    assert response.status_code == 400
    assert response.json() == {"error": error}


@pytest.mark.django_db
def test_an_unknown_account_is_not_found(client):
    assert client.get("/wechat/nowhere/jssdk/", {"url": "http://testserver/"}).status_code == 404


@pytest.mark.django_db
def test_wechat_being_unreachable_is_a_503_with_a_reason(account, client, settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"
    response = client.get(f"/wechat/{account.slug}/jssdk/", {"url": f"{settings.SITE_URL}/h5/"})
    assert response.status_code == 503
    assert response.json() == {"error": "无法连接微信服务器"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        "https://evil.example.com/h5/renai/",
        "https://evil.example.com:8443/h5/renai/",
        "https://h.example.cn@evil.example.com/h5/renai/",
        "https://h.example.cn:8443/h5/renai/",  # our host, another server on it
    ],
)
def test_a_forged_host_header_gets_no_signature_for_its_page(account, client, settings, page):
    """Whoever sends the request chooses its Host header (a proxy that passes it on, a
    wildcard ALLOWED_HOSTS): only SITE_URL's host decides."""
    settings.SITE_URL = "https://h.example.cn"
    settings.ALLOWED_HOSTS = ["*"]
    settings.WECHAT_API_BASE = "http://127.0.0.1:9/unreachable"  # no ticket may be fetched
    host = page.split("/")[2].split("@")[-1]
    response = client.get(f"/wechat/{account.slug}/jssdk/", {"url": page}, HTTP_HOST=host)
    assert response.status_code == 400
    assert response.json() == {"error": "只能为本站页面生成 JS-SDK 签名"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "page",
    [
        "https://h.example.cn/h5/renai/?id=3",
        "https://H.EXAMPLE.CN:443/h5/renai/",
        "https://m.example.cn/h5/renai/",
        "http://m2.example.cn:8080/h5/renai/",
    ],
)
def test_pages_on_site_url_and_the_extra_hosts_are_signed(sandbox, account, client, settings, page):
    settings.SITE_URL = "https://h.example.cn"
    settings.WECHAT_JSSDK_EXTRA_HOSTS = ["m.example.cn", "m2.example.cn:8080"]
    config = client.get(f"/wechat/{account.slug}/jssdk/", {"url": page}, HTTP_HOST="testserver")
    assert config.status_code == 200
    [ticket] = valid_tickets(app_id(account))
    body = config.json()
    assert body["signature"] == signature(ticket, body["nonceStr"], body["timestamp"], page)
