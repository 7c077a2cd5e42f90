"""The sandbox's token endpoints answer like WeChat's: credentials checked, 7200 s tokens, the
five-minute overlap, the daily quota, stable_token's two modes, and the token checks of every
other API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carebridge.sandbox import wxapi
from carebridge.sandbox.models import SandboxCounter, SandboxToken

BASE = "/sandbox/wx/cgi-bin"


@pytest.fixture
def creds(account):
    return account.credentials


def classic(client, creds, **overrides):
    params = {"grant_type": "client_credential", "appid": creds.app_id, "secret": creds.app_secret}
    return client.get(f"{BASE}/token", {**params, **overrides}).json()


def stable(client, creds, **overrides):
    body = {"grant_type": "client_credential", "appid": creds.app_id, "secret": creds.app_secret}
    response = client.post(
        f"{BASE}/stable_token", {**body, **overrides}, content_type="application/json"
    )
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, errcode",
    [
        ({"grant_type": "password"}, 40002),
        ({"appid": ""}, 41002),
        ({"secret": ""}, 41004),
        ({"appid": "wx0000000000000000"}, 40013),
        ({"secret": "not-the-secret"}, 40125),
    ],
)
def test_both_token_apis_refuse_bad_credentials(client, creds, overrides, errcode):
    for fetch in (classic, stable):
        answer = fetch(client, creds, **overrides)
        assert answer["errcode"] == errcode
        assert " rid: " in answer["errmsg"]
    assert not SandboxToken.objects.exists()


@pytest.mark.django_db
def test_a_classic_fetch_leaves_the_previous_token_five_minutes(client, creds):
    first = classic(client, creds)
    assert first["expires_in"] == 7200 and len(first["access_token"]) >= 100
    second = classic(client, creds)
    old = SandboxToken.objects.get(value=first["access_token"])
    left = old.expires_at - timezone.now()
    assert timedelta(minutes=4) < left <= timedelta(minutes=5)
    assert SandboxToken.objects.get(value=second["access_token"]).expires_at > old.expires_at


@pytest.mark.django_db
def test_the_2001st_classic_fetch_of_the_day_is_refused(client, creds):
    SandboxCounter.objects.create(
        app_id=creds.app_id, name="token", period=wxapi.today(), count=2000
    )
    assert classic(client, creds)["errcode"] == 45009


@pytest.mark.django_db
def test_stable_normal_mode_hands_out_the_same_token_until_its_last_minutes(client, creds):
    first = stable(client, creds)
    assert stable(client, creds)["access_token"] == first["access_token"]
    SandboxToken.objects.filter(value=first["access_token"]).update(
        expires_at=timezone.now() + timedelta(minutes=4)
    )
    renewed = stable(client, creds)
    assert renewed["access_token"] != first["access_token"]
    assert renewed["expires_in"] == 7200


@pytest.mark.django_db
def test_stable_and_classic_tokens_do_not_affect_each_other(client, creds):
    kept = stable(client, creds)["access_token"]
    classic(client, creds)
    classic(client, creds)
    assert SandboxToken.objects.get(value=kept).expires_at > timezone.now() + timedelta(hours=1)


@pytest.mark.django_db
def test_force_refresh_replaces_the_token_at_once_but_not_twice_in_30_seconds(client, creds):
    first = stable(client, creds)["access_token"]
    SandboxToken.objects.filter(value=first).update(issued_at=timezone.now() - timedelta(minutes=1))
    forced = stable(client, creds, force_refresh=True)["access_token"]
    assert forced != first
    assert SandboxToken.objects.get(value=first).expires_at <= timezone.now()
    assert stable(client, creds, force_refresh=True)["access_token"] == forced


@pytest.mark.django_db
def test_force_refresh_is_limited_to_20_a_day(client, creds):
    SandboxCounter.objects.create(
        app_id=creds.app_id, name="stable_token_force", period=wxapi.today(), count=20
    )
    assert stable(client, creds, force_refresh=True)["errcode"] == 45009


@pytest.mark.django_db
def test_the_token_endpoints_want_their_own_method(client, creds):
    assert client.post(f"{BASE}/token").json()["errcode"] == 43001
    assert client.get(f"{BASE}/stable_token").json()["errcode"] == 43002


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused(client):
    post = client.post(f"{BASE}/stable_token", "{oops", content_type="application/json")
    assert post.json()["errcode"] == 47001
    empty = client.post(f"{BASE}/stable_token", "", content_type="application/json")
    assert empty.json()["errcode"] == 44002


@pytest.mark.django_db
def test_every_api_checks_the_token(client, creds):
    token = stable(client, creds)["access_token"]
    assert client.get(f"{BASE}/menu/get").json()["errcode"] == 41001
    assert client.get(f"{BASE}/menu/get", {"access_token": "short"}).json()["errcode"] == 40014
    unknown = "A" * 150
    assert client.get(f"{BASE}/menu/get", {"access_token": unknown}).json()["errcode"] == 40001
    SandboxToken.objects.filter(value=token).update(expires_at=timezone.now())
    assert client.get(f"{BASE}/menu/get", {"access_token": token}).json()["errcode"] == 42001


@pytest.mark.django_db
def test_injected_errors_fire_as_often_as_asked(client, creds):
    token = stable(client, creds)["access_token"]
    wxapi.inject_error(creds.app_id, -1, times=2, path="menu/get")
    codes = [
        client.get(f"{BASE}/menu/get", {"access_token": token}).json()["errcode"] for _ in range(3)
    ]
    assert codes == [-1, -1, 46003]


@pytest.mark.django_db
def test_the_jsapi_ticket_is_issued_like_a_token(client, creds):
    token = stable(client, creds)["access_token"]
    ticket = client.get(f"{BASE}/ticket/getticket", {"access_token": token, "type": "jsapi"})
    assert ticket.json()["errcode"] == 0 and ticket.json()["expires_in"] == 7200
    bad = client.get(f"{BASE}/ticket/getticket", {"access_token": token, "type": "nope"})
    assert bad.json()["errcode"] == 40097


@pytest.mark.django_db
def test_it_never_answers_in_production(client, creds, settings):
    settings.SANDBOX_ENABLED = False
    assert client.get(f"{BASE}/token").status_code == 404
