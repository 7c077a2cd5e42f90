"""OAuth2 web authorisation end to end: our views, the sandbox's authorize page, and the code
exchange over real HTTP against the sandbox on a live server."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from carebridge.sandbox.models import SandboxOAuthCode
from carebridge.sandbox.tests.phone_helpers import new_user
from carebridge.tests.ports import free_port
from carebridge.wechat import oauth_state
from carebridge.wechat.models import Follower

ME = "/wechat/renai/oauth/me"
START = "/wechat/renai/oauth/start"
AUTHORIZE = "/sandbox/open/connect/oauth2/authorize"


def signed_in(client):
    return client.session.get("wechat")


def authorize_location(client, **params) -> str:
    """Start a sign-in; return where it sends the browser (WeChat's authorize page)."""
    response = client.get(START, params)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def callback_location(client, **params) -> str:
    """Start a sign-in and pass the sandbox's authorize page; return the redirect back to us."""
    response = client.get(authorize_location(client, **params))
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def test_start_sends_the_browser_to_wechats_authorize_page(sandbox, client, account):
    location = authorize_location(client, next="/h5/renai/booking/?d=1", scope="snsapi_userinfo")
    parts = urlsplit(location)
    assert location.startswith(sandbox.url + "/sandbox/open/connect/oauth2/authorize?appid=")
    assert parts.fragment == "wechat_redirect"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["appid"] == account.credentials.app_id
    assert query["redirect_uri"] == sandbox.url + "/wechat/renai/oauth/callback"
    assert (query["response_type"], query["scope"]) == ("code", "snsapi_userinfo")
    assert query["state"].isalnum() and len(query["state"]) <= 128
    assert not signed_in(client)


def test_snsapi_base_signs_the_user_in_and_returns_to_next(sandbox, client, account):
    user = new_user(client, account)
    response = client.get(callback_location(client, next=ME + "?tab=1"))
    assert response.status_code == 302
    assert response["Location"] == ME + "?tab=1"
    assert signed_in(client) == {
        "account": "renai",
        "openid": user.openid,
        "scope": "snsapi_base",
        "snapshot": False,
    }
    follower = Follower.objects.get(account=account, openid=user.openid)
    assert follower.nickname == "" and follower.unionid == ""


def consent_form(client) -> dict:
    """Start a snsapi_userinfo sign-in; return the fields of the sandbox's consent form."""
    consent = client.get(authorize_location(client, next=ME, scope="snsapi_userinfo"))
    assert consent.status_code == 200 and 'value="allow"' in consent.content.decode()
    return {k: v[0] for k, v in parse_qs(consent.request["QUERY_STRING"]).items()}


def test_snsapi_userinfo_after_consent_stores_nickname_and_unionid(sandbox, client, account):
    user = new_user(client, account, nickname="林晓")
    response = client.post(AUTHORIZE, {**consent_form(client), "decision": "allow"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == ME
    assert signed_in(client)["scope"] == "snsapi_userinfo"
    follower = Follower.objects.get(account=account, openid=user.openid)
    assert (follower.nickname, follower.unionid) == ("林晓", user.unionid)
    assert "林晓" in response.content.decode()


def test_a_user_who_refuses_consent_is_told_so_and_not_signed_in(sandbox, client, account):
    new_user(client, account)
    response = client.post(AUTHORIZE, {**consent_form(client), "decision": "refuse"}, follow=True)
    assert response.status_code == 403
    assert "拒绝授权" in response.content.decode()
    assert not signed_in(client) and not Follower.objects.exists()


def test_a_code_is_refused_the_second_time(sandbox, client, account):
    new_user(client, account)
    back = callback_location(client, next=ME)
    assert client.get(back).status_code == 302
    used_code = parse_qs(urlsplit(back).query)["code"][0]

    from django.test import Client

    other = Client()
    new_user(other, account, nickname="另一位")
    fresh = parse_qs(urlsplit(callback_location(other, next=ME)).query)
    response = other.get(
        "/wechat/renai/oauth/callback", {"code": used_code, "state": fresh["state"][0]}
    )
    assert response.status_code == 400
    assert "授权码无效" in response.content.decode()
    assert not signed_in(other)


def test_an_expired_code_is_refused(sandbox, client, account):
    new_user(client, account)
    back = callback_location(client, next=ME)
    SandboxOAuthCode.objects.update(issued_at=timezone.now() - timedelta(minutes=6))
    assert client.get(back).status_code == 400
    assert not signed_in(client)


def test_a_replayed_callback_is_refused(sandbox, client, account):
    new_user(client, account)
    back = callback_location(client, next=ME)
    assert client.get(back).status_code == 302
    session = client.session  # forget the sign-in; the old callback must not restore it
    session.pop("wechat", None)
    session.save()
    assert client.get(back).status_code == 400
    assert not signed_in(client)


@pytest.mark.parametrize("tamper", ["flip", "other_session", "empty", "junk"])
def test_a_tampered_state_is_refused(sandbox, client, account, tamper):
    new_user(client, account)
    back = callback_location(client, next=ME)
    query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    state = query["state"]
    if tamper == "flip":
        state = state[:-1] + ("0" if state[-1] != "0" else "1")
    elif tamper == "other_session":
        from django.test import Client

        stranger = Client()  # a state minted for someone else's browser
        new_user(stranger, account, nickname="陌生人")
        stranger_back = callback_location(stranger, next=ME)
        state = parse_qs(urlsplit(stranger_back).query)["state"][0]
    elif tamper == "empty":
        state = ""
    else:
        state = "<script>"
    response = client.get("/wechat/renai/oauth/callback", {"code": query["code"], "state": state})
    assert response.status_code == 400
    assert not signed_in(client)
    assert not SandboxOAuthCode.objects.get(code=query["code"]).used  # never exchanged


def test_a_state_older_than_ten_minutes_is_refused(sandbox, client, account):
    new_user(client, account)
    back = callback_location(client, next=ME)
    session = client.session
    for entry in session[oauth_state.SESSION_KEY].values():
        entry["at"] -= oauth_state.TTL_SECONDS + 1
    session.save()
    assert client.get(back).status_code == 400
    assert not signed_in(client)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/path\nSet-Cookie: x",
    ],
)
def test_it_refuses_to_redirect_off_site(sandbox, client, account, next_url):
    response = client.get(START, {"next": next_url})
    assert response.status_code == 400
    assert oauth_state.SESSION_KEY not in client.session


def test_it_refuses_an_unknown_scope(sandbox, client, account):
    assert client.get(START, {"next": ME, "scope": "snsapi_login"}).status_code == 400
    assert oauth_state.SESSION_KEY not in client.session


def test_an_unknown_account_is_not_found(sandbox, client, account):
    assert client.get("/wechat/nobody/oauth/start", {"next": ME}).status_code == 404


def test_snapshot_users_are_told_to_open_the_full_page_and_not_signed_in(sandbox, client, account):
    new_user(client, account, snapshot=True)
    response = client.get(START, {"next": ME, "scope": "snsapi_userinfo"}, follow=True)
    assert response.status_code == 200
    assert "使用完整服务" in response.content.decode()
    assert not signed_in(client) and not Follower.objects.exists()


def test_a_page_that_needs_a_user_goes_through_oauth_and_comes_back(sandbox, client, account):
    user = new_user(client, account, subscribed=True, nickname="阿芳")
    response = client.get(ME, follow=True)
    assert response.redirect_chain[0][0].startswith(START)
    assert response.redirect_chain[-1][0] == ME
    assert signed_in(client)["openid"] == user.openid
    assert "阿芳" in response.content.decode()


def test_wechat_unreachable_gives_a_clear_page(sandbox, client, account, settings):
    new_user(client, account)
    back = callback_location(client, next=ME)
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{free_port()}/sandbox/wx"
    response = client.get(back)
    assert response.status_code == 502
    assert "重新登录" in response.content.decode() and not signed_in(client)


def test_the_english_pages_work(sandbox, client, account, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(START, {"next": "https://evil.example/"})
    assert response.status_code == 400
    assert '<html lang="en">' in response.content.decode()


def test_an_account_without_credentials_gets_a_clear_page(sandbox, client, account, settings):
    settings.SANDBOX_ENABLED = False  # no sandbox credentials to fall back on
    response = client.get(START, {"next": ME})
    assert response.status_code == 503
    assert oauth_state.SESSION_KEY not in client.session


def test_the_client_refreshes_a_web_token_for_thirty_days(sandbox, client, account):
    from carebridge.sandbox.grants import issue_code
    from carebridge.sandbox.phone.actions import create_user
    from carebridge.wechat import oauth_client

    user = create_user(account, "小林")
    creds = account.credentials
    token = oauth_client.exchange_code(creds, issue_code(user, "snsapi_userinfo").code)
    renewed = oauth_client.refresh(creds, token["refresh_token"])
    assert renewed["openid"] == user.openid and renewed["access_token"] != token["access_token"]
    assert oauth_client.user_info(renewed["access_token"], user.openid)["nickname"] == "小林"
    with pytest.raises(oauth_client.OAuthFailed) as refused:
        oauth_client.refresh(creds, "not-a-refresh-token")
    assert refused.value.errcode == 40030
    with pytest.raises(oauth_client.OAuthFailed) as stale:
        oauth_client.user_info(token["access_token"], user.openid)  # replaced by the refresh
    assert stale.value.errcode == 40001


def test_a_silent_sign_in_is_upgraded_where_a_page_needs_consent(sandbox, client, account):
    user = new_user(client, account, subscribed=True, nickname="阿芳")
    client.get(START, {"next": "/h5/renai/", "scope": "snsapi_base"}, follow=True)
    assert signed_in(client)["scope"] == "snsapi_base"
    response = client.get(ME, follow=True)  # oauth/me needs snsapi_userinfo
    assert START in response.redirect_chain[0][0]
    assert "scope=snsapi_userinfo" in response.redirect_chain[0][0]
    assert signed_in(client) == {
        "account": "renai",
        "openid": user.openid,
        "scope": "snsapi_userinfo",
        "snapshot": False,
    }
    assert "阿芳" in response.content.decode()


def silent_page(request, slug):
    from django.http import HttpResponse

    return HttpResponse(request.wechat_user.openid)


@pytest.mark.django_db
def test_a_consented_sign_in_serves_silent_pages_without_asking_again(rf, account):
    from django.contrib.sessions.backends.db import SessionStore

    from carebridge.wechat import h5

    request = rf.get("/h5/renai/")
    request.session = SessionStore()
    h5.sign_in(request, "renai", "o_alice_0000000000000000000", "snsapi_userinfo")
    response = h5.wechat_user_required(silent_page)(request, slug="renai")
    assert response.status_code == 200 and response.content == b"o_alice_0000000000000000000"
    needs_consent = h5.wechat_user_required(scope="snsapi_userinfo")(silent_page)
    assert needs_consent(request, slug="renai").status_code == 200
    h5.sign_in(request, "renai", "o_alice_0000000000000000000", "snsapi_base")
    assert needs_consent(request, slug="renai").status_code == 302


@pytest.mark.django_db
def test_the_pages_follower_carries_its_account_without_another_query(
    rf, account, django_assert_num_queries
):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from carebridge.wechat import h5

    def page(request, slug):
        with django_assert_num_queries(0):
            return HttpResponse(request.follower.account.slug)

    Follower.objects.create(account=account, openid="o_alice_0000000000000000000")
    request = rf.get("/h5/renai/")
    request.session = SessionStore()
    h5.sign_in(request, "renai", "o_alice_0000000000000000000", "snsapi_base")
    response = h5.wechat_user_required(page)(request, slug="renai")
    assert response.content == b"renai"
    assert request.follower.account is request.wechat_account


def signed_in_request(rf, openid="o_alice_0000000000000000000"):
    from django.contrib.sessions.backends.db import SessionStore

    from carebridge.wechat import h5

    request = rf.get("/h5/renai/")
    request.session = SessionStore()
    h5.sign_in(request, "renai", openid, "snsapi_base")
    request.session.save()
    request.session = SessionStore(request.session.session_key)  # read back, as a request
    return request


def shown_follower(request, slug):
    from django.http import HttpResponse

    account = request.wechat_account
    return HttpResponse(f"{request.follower.pk} {account.slug} {account.institution.slug}")


@pytest.mark.django_db
@pytest.mark.parametrize("institution_page", [False, True])
def test_a_signed_in_page_reads_follower_account_and_institution_in_one_statement(
    rf, account, institution_page, django_assert_num_queries
):
    from carebridge.institutions.pages import institution_page as institution_decorator
    from carebridge.wechat import h5

    view = h5.wechat_user_required(shown_follower)
    view = institution_decorator(view) if institution_page else view
    alice = Follower.objects.create(account=account, openid="o_alice_0000000000000000000")
    request = signed_in_request(rf)
    with django_assert_num_queries(2):  # the session, then the three rows
        response = view(request, slug="renai")
    assert response.content.decode() == f"{alice.pk} renai {account.institution.slug}"


@pytest.mark.django_db
@pytest.mark.parametrize("institution_page", [False, True])
def test_a_first_visit_still_creates_the_follower_row(rf, account, institution_page):
    from carebridge.institutions.pages import institution_page as institution_decorator
    from carebridge.wechat import h5

    view = h5.wechat_user_required(shown_follower)
    view = institution_decorator(view) if institution_page else view
    response = view(signed_in_request(rf, "o_new_000000000000000000000"), slug="renai")
    created = Follower.objects.get(account=account, openid="o_new_000000000000000000000")
    assert response.content.decode().startswith(f"{created.pk} renai")


@pytest.mark.django_db
def test_a_signed_in_user_of_an_inactive_institution_is_not_found(rf, account):
    from django.http import Http404

    from carebridge.institutions.pages import institution_page
    from carebridge.wechat import h5

    Follower.objects.create(account=account, openid="o_alice_0000000000000000000")
    account.institution.is_active = False
    account.institution.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        institution_page(h5.wechat_user_required(shown_follower))(
            signed_in_request(rf), slug="renai"
        )


@pytest.mark.django_db
def test_a_sign_in_for_another_account_reads_no_follower_of_this_one(rf, account):
    from carebridge.wechat import h5

    Follower.objects.create(account=account, openid="o_alice_0000000000000000000")
    request = signed_in_request(rf)
    assert h5.signed_in_follower(request, "renai") is not None
    assert h5.signed_in_follower(request, "another") is None


def test_a_callback_for_an_account_without_credentials_gets_a_clear_page(
    sandbox, client, account, settings
):
    new_user(client, account)
    back = callback_location(client, next=ME)
    settings.SANDBOX_ENABLED = False
    settings.WECHAT_CREDENTIALS = {}
    response = client.get(back)
    assert response.status_code == 503
    assert "公众号尚未完成配置" in response.content.decode()
    assert not signed_in(client) and not Follower.objects.exists()
