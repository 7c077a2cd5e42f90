"""The JS-SDK stand-in: served offline, and its wx.config checked as WeChat checks it, against
the account's jsapi ticket and the page's URL on the account's domain."""

import hashlib

import pytest

from carebridge.sandbox.wxapi.tokens import issue

VERIFY = "/sandbox/jssdk/verify"


def signed(ticket, url, noncestr="Wm3WZYTPz0wzccnW", timestamp="1414587457"):
    text = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return {"nonceStr": noncestr, "timestamp": timestamp, "url": url + "#like",
            "signature": hashlib.sha1(text.encode()).hexdigest()}  # fmt: skip


@pytest.fixture
def ticket(account):
    return issue(account.credentials.app_id, "jsapi").value


@pytest.fixture
def page(settings):
    return settings.SITE_URL + "/h5/renai/news/1/"


def test_the_stand_in_is_a_static_file_of_the_sandbox():
    from django.contrib.staticfiles import finders

    with open(finders.find("sandbox/jweixin.js"), encoding="utf-8") as script:
        assert "updateAppMessageShareData" in script.read()


@pytest.mark.django_db
def test_a_config_signed_with_the_ticket_is_accepted(client, account, ticket, page):
    form = {"appId": account.credentials.app_id, **signed(ticket, page)}
    assert client.post(VERIFY, form).json() == {"errMsg": "config:ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "errmsg"),
    [
        ({"signature": "0" * 40}, "config:invalid signature"),
        ({"timestamp": "1414587458"}, "config:invalid signature"),  # signed another moment
        ({"appId": "wx_nobody"}, "config:invalid appid"),
        ({"appId": ""}, "config:invalid appid"),
        ({"url": "http://elsewhere.example/h5/renai/news/1/"}, "config:invalid url domain"),
    ],
)
def test_a_bad_config_is_refused(client, account, ticket, page, change, errmsg):
    form = {"appId": account.credentials.app_id, **signed(ticket, page), **change}
    assert client.post(VERIFY, form).json() == {"errMsg": errmsg}


@pytest.mark.django_db
def test_an_expired_ticket_no_longer_signs(client, account, ticket, page):
    from carebridge.sandbox.models import SandboxToken

    SandboxToken.objects.filter(value=ticket).update(expires_at="2000-01-01T00:00:00Z")
    form = {"appId": account.credentials.app_id, **signed(ticket, page)}
    assert client.post(VERIFY, form).json() == {"errMsg": "config:invalid signature"}
    assert client.get(VERIFY).status_code == 405
