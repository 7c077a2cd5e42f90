"""The sandbox's side of OAuth2: the authorize page and the /sns/ API, with WeChat's errors."""

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone

from carebridge.sandbox import grants
from carebridge.sandbox.models import SandboxOAuthCode, SandboxOAuthToken, SandboxUser
from carebridge.sandbox.phone.identity import app_id_of
from carebridge.wechat.credentials import get_credentials

from .phone_helpers import new_user

pytestmark = pytest.mark.django_db

CALLBACK = "http://127.0.0.1:8000/wechat/renai/oauth/callback?from=menu"
AUTHORIZE = "/sandbox/open/connect/oauth2/authorize"


def authorize_params(account, **override):
    params = {
        "appid": app_id_of(account),
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "snsapi_base",
        "state": "abc123",
    }
    params.update(override)
    return {k: v for k, v in params.items() if v is not None}


def redirect_query(response) -> dict:
    assert response.status_code == 302, response.content[:300]
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK.split("?")[0]
    return {k: v[0] for k, v in parse_qs(location.query).items()}


@pytest.mark.parametrize(
    "override, errcode",
    [
        ({"appid": None}, 10012),
        ({"redirect_uri": None}, 10011),
        ({"scope": None}, 10010),
        ({"appid": "wx0000000000000000"}, 40013),
        ({"response_type": "token"}, 40002),
        ({"redirect_uri": "https://evil.example/steal"}, 10003),
        ({"redirect_uri": "javascript:alert(1)"}, 10003),
        ({"scope": "snsapi_login"}, 10005),
        ({"state": "x" * 129}, 40002),
    ],
)
def test_it_refuses_a_bad_authorize_request_with_wechats_errcode(
    client, account, override, errcode
):
    new_user(client, account)
    response = client.get(AUTHORIZE, authorize_params(account, **override))
    assert response.status_code == 400
    assert str(errcode) in response.content.decode()
    assert not SandboxOAuthCode.objects.exists()


def test_it_refuses_web_authorisation_to_a_subscription_account(client, account):
    account.account_type = "subscription"
    account.save(update_fields=["account_type"])
    new_user(client, account)
    response = client.get(AUTHORIZE, authorize_params(account))
    assert response.status_code == 400 and "10005" in response.content.decode()


def test_snsapi_base_redirects_silently_with_a_code_and_the_state(client, account):
    user = new_user(client, account)
    query = redirect_query(client.get(AUTHORIZE, authorize_params(account)))
    assert query["state"] == "abc123" and query["from"] == "menu"
    code = SandboxOAuthCode.objects.get(code=query["code"])
    assert (code.openid, code.scope, code.used) == (user.openid, "snsapi_base", False)


def test_snsapi_userinfo_asks_a_non_follower_for_consent(client, account):
    new_user(client, account, nickname="小林")
    response = client.get(AUTHORIZE, authorize_params(account, scope="snsapi_userinfo"))
    assert response.status_code == 200
    assert "小林" in response.content.decode() and 'value="allow"' in response.content.decode()
    assert not SandboxOAuthCode.objects.exists()
    allowed = client.post(
        AUTHORIZE, {**authorize_params(account, scope="snsapi_userinfo"), "decision": "allow"}
    )
    assert (
        SandboxOAuthCode.objects.get(code=redirect_query(allowed)["code"]).scope
        == "snsapi_userinfo"
    )


def test_refusing_consent_redirects_with_the_state_and_no_code(client, account):
    new_user(client, account)
    params = {**authorize_params(account, scope="snsapi_userinfo"), "decision": "refuse"}
    query = redirect_query(client.post(AUTHORIZE, params))
    assert query == {"from": "menu", "state": "abc123"}
    assert not SandboxOAuthCode.objects.exists()


def test_followers_coming_from_the_account_are_authorised_silently(client, account):
    new_user(client, account, subscribed=True)
    query = redirect_query(
        client.get(AUTHORIZE, authorize_params(account, scope="snsapi_userinfo"))
    )
    assert SandboxOAuthCode.objects.get(code=query["code"]).scope == "snsapi_userinfo"


def test_without_a_phone_user_it_asks_who_is_holding_the_phone(client, account):
    other = SandboxUser.objects.create(
        app_id=app_id_of(account), openid="o_existing", nickname="老王"
    )
    page = client.get(AUTHORIZE, authorize_params(account))
    assert page.status_code == 200 and "老王" in page.content.decode()
    assert not SandboxOAuthCode.objects.exists()

    chosen = client.post(
        "/sandbox/open/connect/oauth2/choose", {**authorize_params(account), "openid": other.openid}
    )
    assert chosen.status_code == 302 and chosen["Location"].startswith(AUTHORIZE + "?")
    query = redirect_query(client.get(chosen["Location"]))
    assert SandboxOAuthCode.objects.get(code=query["code"]).openid == "o_existing"


def test_choosing_creates_a_new_user_by_nickname(client, account):
    client.post(
        "/sandbox/open/connect/oauth2/choose", {**authorize_params(account), "nickname": " 小周 "}
    )
    assert SandboxUser.objects.get(app_id=app_id_of(account)).nickname == "小周"


@pytest.mark.parametrize("data", [{}, {"openid": "o_of_another_account"}, {"nickname": "   "}])
def test_choosing_refuses_bad_input_and_changes_nothing(client, account, data):
    SandboxUser.objects.create(app_id="wx_elsewhere", openid="o_of_another_account", nickname="x")
    response = client.post(
        "/sandbox/open/connect/oauth2/choose", {**authorize_params(account), **data}
    )
    assert response.status_code == 400
    assert SandboxUser.objects.count() == 1
    assert "cb_sandbox_phone" not in response.cookies


def test_snapshot_users_get_a_virtual_account(client, account):
    user = new_user(client, account, snapshot=True)
    query = redirect_query(
        client.get(AUTHORIZE, authorize_params(account, scope="snsapi_userinfo"))
    )
    code = SandboxOAuthCode.objects.get(code=query["code"])
    assert code.snapshot and code.openid != user.openid


# --- /sns/ API -------------------------------------------------------------------------------


def issue(account, client, scope="snsapi_base", **user_fields):
    user = new_user(client, account, **user_fields)
    return user, grants.issue_code(user, scope).code


def exchange(client, account, the_code, **override):
    creds = get_credentials(account.slug)
    params = {
        "appid": creds.app_id,
        "secret": creds.app_secret,
        "code": the_code,
        "grant_type": "authorization_code",
    }
    params.update(override)
    return client.get(
        "/sandbox/wx/sns/oauth2/access_token", {k: v for k, v in params.items() if v is not None}
    ).json()


def test_a_code_is_exchanged_once(client, account):
    user, code = issue(account, client, scope="snsapi_userinfo")
    first = exchange(client, account, code)
    assert first["openid"] == user.openid and first["scope"] == "snsapi_userinfo"
    assert first["unionid"] == user.unionid and first["expires_in"] == 7200
    assert "is_snapshotuser" not in first
    assert exchange(client, account, code) == {"errcode": 40163, "errmsg": "code been used"}
    assert SandboxOAuthToken.objects.count() == 1


def test_a_base_exchange_names_no_unionid(client, account):
    _, code = issue(account, client)
    assert "unionid" not in exchange(client, account, code)


def test_a_code_older_than_five_minutes_is_refused(client, account):
    _, code = issue(account, client)
    SandboxOAuthCode.objects.filter(code=code).update(
        issued_at=timezone.now() - timedelta(minutes=5, seconds=1)
    )
    assert exchange(client, account, code)["errcode"] == 40029
    assert not SandboxOAuthToken.objects.exists()


@pytest.mark.parametrize(
    "override, errcode",
    [
        ({"appid": None}, 41002),
        ({"secret": None}, 41004),
        ({"code": None}, 41008),
        ({"grant_type": "client_credential"}, 40002),
        ({"appid": "wx0000000000000000"}, 40013),
        ({"secret": "wrong"}, 40125),
        ({"code": "not-a-code"}, 40029),
    ],
)
def test_a_bad_exchange_is_refused_and_leaves_the_code_usable(client, account, override, errcode):
    _, code = issue(account, client)
    assert exchange(client, account, code, **override)["errcode"] == errcode
    assert not SandboxOAuthCode.objects.get(code=code).used


def test_a_code_of_another_account_is_refused(client, account, hospital):
    from carebridge.institutions.models import WeChatAccount

    other = WeChatAccount.objects.create(institution=hospital, slug="other", name="另一个号")
    _, code = issue(other, client)
    assert exchange(client, account, code)["errcode"] == 40029


def test_snapshot_exchange_says_so_and_names_a_virtual_account(client, account):
    user, code = issue(account, client, scope="snsapi_userinfo", snapshot=True)
    answer = exchange(client, account, code)
    assert answer["is_snapshotuser"] == 1
    assert answer["openid"] != user.openid and answer["unionid"] != user.unionid
    info = client.get(
        "/sandbox/wx/sns/userinfo",
        {"access_token": answer["access_token"], "openid": answer["openid"]},
    ).json()
    assert info["nickname"] == grants.SNAPSHOT_NICKNAME


def test_userinfo_needs_the_userinfo_scope_and_the_right_openid(client, account):
    user, code = issue(account, client, scope="snsapi_userinfo", nickname="小林")
    token = exchange(client, account, code)["access_token"]
    info = client.get(
        "/sandbox/wx/sns/userinfo", {"access_token": token, "openid": user.openid}
    ).json()
    assert (info["openid"], info["nickname"], info["unionid"]) == (
        user.openid,
        "小林",
        user.unionid,
    )
    wrong = client.get(
        "/sandbox/wx/sns/userinfo", {"access_token": token, "openid": "o_other"}
    ).json()
    assert wrong["errcode"] == 40003
    bogus = client.get(
        "/sandbox/wx/sns/userinfo", {"access_token": "nope", "openid": user.openid}
    ).json()
    assert bogus["errcode"] == 40001

    base_user, base_code = issue(account, client)
    base_token = exchange(client, account, base_code)["access_token"]
    refused = client.get(
        "/sandbox/wx/sns/userinfo", {"access_token": base_token, "openid": base_user.openid}
    )
    assert refused.json()["errcode"] == 48001


def test_an_expired_web_token_is_refused(client, account):
    user, code = issue(account, client, scope="snsapi_userinfo")
    token = exchange(client, account, code)["access_token"]
    SandboxOAuthToken.objects.update(access_expires_at=timezone.now())
    assert (
        client.get(
            "/sandbox/wx/sns/userinfo", {"access_token": token, "openid": user.openid}
        ).json()["errcode"]
        == 42001
    )
    assert (
        client.get("/sandbox/wx/sns/auth", {"access_token": token, "openid": user.openid}).json()[
            "errcode"
        ]
        == 42001
    )


def test_sns_auth_checks_a_token(client, account):
    user, code = issue(account, client)
    token = exchange(client, account, code)["access_token"]
    assert client.get(
        "/sandbox/wx/sns/auth", {"access_token": token, "openid": user.openid}
    ).json() == {"errcode": 0, "errmsg": "ok"}
    assert (
        client.get("/sandbox/wx/sns/auth", {"access_token": token, "openid": "o_x"}).json()[
            "errcode"
        ]
        == 40003
    )


def refresh(client, account, token, /, **override):
    params = {
        "appid": app_id_of(account),
        "grant_type": "refresh_token",
        "refresh_token": token,
    }
    params.update(override)
    return client.get("/sandbox/wx/sns/oauth2/refresh_token", params).json()


def test_a_refresh_token_renews_the_access_token_for_thirty_days(client, account):
    user, code = issue(account, client, scope="snsapi_userinfo")
    first = exchange(client, account, code)
    renewed = refresh(client, account, first["refresh_token"])
    assert renewed["openid"] == user.openid and renewed["refresh_token"] == first["refresh_token"]
    assert renewed["access_token"] != first["access_token"]
    old = client.get(
        "/sandbox/wx/sns/auth", {"access_token": first["access_token"], "openid": user.openid}
    )
    assert old.json()["errcode"] == 40001
    SandboxOAuthToken.objects.update(refresh_expires_at=timezone.now() - timedelta(seconds=1))
    assert refresh(client, account, first["refresh_token"])["errcode"] == 42002


@pytest.mark.parametrize(
    "override, errcode",
    [
        ({"refresh_token": "bogus"}, 40030),
        ({"grant_type": "authorization_code"}, 40002),
        ({"appid": "wx0"}, 40013),
    ],
)
def test_a_bad_refresh_is_refused_and_changes_nothing(client, account, override, errcode):
    _, code = issue(account, client)
    first = exchange(client, account, code)
    assert refresh(client, account, first["refresh_token"], **override)["errcode"] == errcode
    assert SandboxOAuthToken.objects.get().access_token == first["access_token"]


@pytest.mark.parametrize(
    "url",
    [
        AUTHORIZE
        + "?"
        + urlencode({"appid": "x", "redirect_uri": CALLBACK, "scope": "snsapi_base"}),
        "/sandbox/wx/sns/oauth2/access_token?appid=x",
        "/sandbox/wx/sns/oauth2/refresh_token?appid=x",
        "/sandbox/wx/sns/userinfo?access_token=x&openid=y",
        "/sandbox/wx/sns/auth?access_token=x&openid=y",
    ],
)
def test_the_oauth_sandbox_never_answers_when_disabled(client, account, settings, url):
    settings.SANDBOX_ENABLED = False
    assert client.get(url).status_code == 404


def test_the_consent_page_speaks_english(client, account, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    new_user(client, account)
    page = client.get(
        AUTHORIZE, authorize_params(account, scope="snsapi_userinfo")
    ).content.decode()
    assert "Allow" in page and "Refuse" in page and "Your public profile" in page
